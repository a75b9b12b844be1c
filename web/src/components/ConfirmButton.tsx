/** A button for something that cannot be undone: it asks first, in a dialog that says what happens. */
import {
  Button,
  Dialog,
  DialogActions,
  DialogBody,
  DialogContent,
  DialogSurface,
  DialogTitle,
  DialogTrigger,
} from "@fluentui/react-components";
import { useRef, useState, type ReactNode } from "react";

const ARIA_HIDDEN_RESTORED_MS = 300;

export function ConfirmButton({
  label,
  title,
  confirm,
  disabled,
  onConfirm,
  children,
  ariaLabel,
}: {
  label: string;
  title: string;
  /** The dialog's button that goes ahead, e.g. "Erase". */
  confirm: string;
  disabled?: boolean;
  onConfirm: () => void;
  /** What will happen, in words. */
  children: ReactNode;
  /** The button's accessible name when `label` alone is ambiguous (one per table row). */
  ariaLabel?: string;
}) {
  const [open, setOpen] = useState(false);
  const confirmed = useRef(false);
  return (
    <Dialog
      open={open}
      onOpenChange={(_, data) => setOpen(data.open)}
      // Go ahead once the dialog has closed and the page is visible to assistive technology again: what
      // follows may remove this button (and its dialog) from the page, and Fluent's focus trap (tabster)
      // restores the page's aria-hidden on a 250 ms timer that is dropped, not run, when the dialog goes
      // first, leaving the whole app hidden (github.com/microsoft/tabster/issues/530).
      surfaceMotion={{
        onMotionFinish: (_, data) => {
          if (data.direction === "exit" && confirmed.current) {
            confirmed.current = false;
            window.setTimeout(onConfirm, ARIA_HIDDEN_RESTORED_MS);
          }
        },
      }}
    >
      <DialogTrigger disableButtonEnhancement>
        <Button disabled={disabled} aria-label={ariaLabel}>
          {label}
        </Button>
      </DialogTrigger>
      <DialogSurface>
        <DialogBody>
          <DialogTitle>{title}</DialogTitle>
          <DialogContent>{children}</DialogContent>
          <DialogActions>
            <DialogTrigger disableButtonEnhancement>
              <Button appearance="secondary">Cancel</Button>
            </DialogTrigger>
            <Button
              appearance="primary"
              onClick={() => {
                confirmed.current = true;
                setOpen(false);
              }}
            >
              {confirm}
            </Button>
          </DialogActions>
        </DialogBody>
      </DialogSurface>
    </Dialog>
  );
}

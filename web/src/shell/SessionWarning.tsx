/** Warn before the one-hour sliding session ends; at its end the next call's 401 returns to sign-in. */
import {
  Button,
  MessageBar,
  MessageBarActions,
  MessageBarBody,
  MessageBarTitle,
} from "@fluentui/react-components";
import { useEffect, useState } from "react";

import { useSignedIn } from "../auth/context";

const WARN_BEFORE_MS = 5 * 60_000;
const TICK_MS = 15_000;

export function SessionWarning() {
  const { endsAt, stayActive, signOut } = useSignedIn();
  const [now, setNow] = useState(Date.now());
  useEffect(() => {
    const timer = window.setInterval(() => setNow(Date.now()), TICK_MS);
    return () => window.clearInterval(timer);
  }, []);
  const left = endsAt() - now;
  useEffect(() => {
    if (left <= 0) {
      // The API decides: a session it already ended answers 401 and the app returns to sign-in.
      void stayActive().catch(() => undefined);
    }
  }, [left, stayActive]);
  if (left > WARN_BEFORE_MS || left <= 0) {
    return null;
  }
  const minutes = Math.max(1, Math.ceil(left / 60_000));
  return (
    <MessageBar intent="warning" role="alert">
      <MessageBarBody>
        <MessageBarTitle>Your session ends soon</MessageBarTitle>
        You will be signed out in {minutes === 1 ? "1 minute" : `${minutes} minutes`} unless you carry on.
      </MessageBarBody>
      <MessageBarActions>
        <Button onClick={() => void stayActive().then(() => setNow(Date.now()))}>Stay signed in</Button>
        <Button appearance="transparent" onClick={() => void signOut()}>
          Sign out
        </Button>
      </MessageBarActions>
    </MessageBar>
  );
}

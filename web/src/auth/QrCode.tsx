/** The otpauth:// URI as a QR code, drawn in the browser: the secret never leaves it. */
import { toCanvas } from "qrcode";
import { useEffect, useRef } from "react";

export function QrCode({ value, label }: { value: string; label: string }) {
  const canvas = useRef<HTMLCanvasElement>(null);
  useEffect(() => {
    if (canvas.current !== null) {
      void toCanvas(canvas.current, value, { errorCorrectionLevel: "M", margin: 2, width: 200 });
    }
  }, [value]);
  return <canvas ref={canvas} role="img" aria-label={label} width={200} height={200} />;
}

import { StrictMode } from "react";
import { createRoot } from "react-dom/client";

import "./index.css";
import { App } from "./App";
import { loadConfig } from "./config";

const root = createRoot(document.getElementById("root") as HTMLElement);

loadConfig().then(
  (config) =>
    root.render(
      <StrictMode>
        <App config={config} />
      </StrictMode>,
    ),
  () => {
    // No stack for the person: one sentence, in the page's own language.
    const message = document.createElement("p");
    message.textContent =
      "Insight365 could not start: its configuration is unavailable. Reload the page to try again.";
    document.body.replaceChildren(message);
  },
);

import { Title2 } from "@fluentui/react-components";
import { Link } from "react-router-dom";

import { EmptyState } from "../components/states";

export function NotFound() {
  return (
    <>
      <Title2 as="h1">Page not found</Title2>
      <EmptyState title="There is no page at this address">
        <Link to="/">Go to the overview</Link>
      </EmptyState>
    </>
  );
}

/** Settings (super admins): licence prices, reporting groups and the inactivity threshold, retention.
 * Prices, groups and the threshold take effect at the next computation: the nightly refresh, or at once
 * with "Refresh now". */
import { Text, Title2 } from "@fluentui/react-components";
import { Link as RouterLink } from "react-router-dom";

import { Section } from "../components/Section";
import { GroupsEditor } from "../settings/Groups";
import { PriceEditor } from "../settings/Prices";
import { RetentionEditor } from "../settings/Retention";

export function Settings() {
  return (
    <>
      <Title2 as="h1">Settings</Title2>
      <Text>
        Changes to prices, groups or the threshold show in the figures after the next refresh; to see them
        now, use <RouterLink to="/refresh">Refresh now</RouterLink> (it recomputes the published figures in
        seconds).
      </Text>
      <Section id="prices" title="Licence prices">
        <PriceEditor />
      </Section>
      <Section id="groups" title="Groups and inactivity">
        <GroupsEditor />
      </Section>
      <Section id="retention" title="Retention">
        <RetentionEditor />
      </Section>
    </>
  );
}

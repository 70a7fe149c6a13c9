/**
 * ce_id of the LabelAccepted QA emits when it accepts an item of a project. It is
 * deterministic, so a re-emission is recognised downstream as the same event; it names the
 * project as well as the item because item ids come from the content alone (the same input
 * is the same item id in every project, and in every deployment sharing a broker), while
 * consumers' inboxes tell a redelivery from a new event by this id alone.
 */
export function labelAcceptedId(projectId: string, itemId: string): string {
  return `label-accepted:${projectId}:${itemId}`;
}

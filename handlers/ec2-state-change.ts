// Placeholder: replaced by the reconciler's handler.
export const handler = async (_event: unknown): Promise<void> => {};

// Placeholder: replaced by the scheduled sweep's handler.
export const handler = async (_event: unknown): Promise<void> => {};

// Placeholder until `npx forst generate` (or start()) writes the project's functions here. Importing a function from
// "@forst/sidecar" before that fails with "does not provide an export named …": run `npx forst generate`.
export {};

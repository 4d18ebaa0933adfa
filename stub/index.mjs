// Placeholder until `npx forst generate` (or start()) writes the project's functions here. ES modules link their
// imports before any code runs, so the only way to say what to do is a module that cannot be found, named after it:
// importing "@forst/sidecar" fails with 'Package import specifier "#…run `npx forst generate`…" is not defined'.
import "#@forst/sidecar has no generated functions yet: run `npx forst generate` in your project (ES modules need them before they load; start() and the postinstall step also write them)";

// Placeholder until `npx forst generate` (or start()) writes the project's functions here.
"use strict";

// `@forst/sidecar/runtime`: what the functions generated into a project's own tree (`output` in forst.config.js)
// import. Applications import from "@forst/sidecar" or from their generated directory, not from here.
export { ForstError, start, stop, status, metrics, invoke } from "../index";

/** The typed function of one endpoint (generated code calls this; `arity` is its parameter count). */
export declare function forstFunction(
  name: string,
  arity: number,
  options?: { stream?: boolean; errors?: string[] },
): (...args: unknown[]) => Promise<unknown> | AsyncIterable<unknown>;

/** Pins the project this process runs (the first call wins); generated code passes the root it was generated from. */
export declare function useProject(root: string): void;

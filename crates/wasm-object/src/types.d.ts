/** `JSON.parse(openObject(bytes))`: a BPF object file's programs as assembly text. */
export interface ObjectView {
  /** Why the file is not a usable BPF object (then there are no programs). */
  error: string | null;
  programs: ObjectProgram[];
  license: string | null;
}

export interface ObjectProgram {
  /** The entry function's name. */
  name: string;
  /** Its ELF section, e.g. `tc`. */
  section: string;
  progType: string | null;
  /** The program as assembly text, its C lines as `.loc` directives; null when `error`. */
  source: string | null;
  error: string | null;
  /** The C file its line info names (`prog.c`). */
  cFile: string | null;
  /** The global-data maps' initial contents, as a world's `maps`. */
  worldMaps: Record<string, { key: string; value: string }[]>;
}

// Opening a clang-built BPF object file on the page: the "Open .o…" button or a file dropped
// anywhere on the page. The package's `openObject` turns each program into assembly text whose
// `.loc` directives carry its C lines (the text assembles to the object's exact bytes), and
// the Program menu picks one; the page then treats it as any program typed in the editor
// (verify, debug, edit, share).

import type { ObjectProgram, ObjectView, Unwind } from "unwind-bpf";

/** What the page does with a chosen program. */
export interface ObjectHost {
  unwind: () => Promise<Unwind>;
  /** Shows `program` of `file` in the editor (the page keeps an edit it replaces). */
  load: (program: ObjectProgram, file: string) => void;
  /** A message: why the file or a program could not be opened, or what was opened. */
  notify: (text: string, kind: "info" | "error") => void;
}

/** The ELF magic: what tells an object from a text file dropped on the page. */
const ELF_MAGIC = [0x7f, 0x45, 0x4c, 0x46];

export class ObjectOpener {
  private opened: { file: string; view: ObjectView } | null = null;

  constructor(
    button: HTMLButtonElement,
    input: HTMLInputElement,
    private readonly label: HTMLElement,
    private readonly select: HTMLSelectElement,
    private readonly host: ObjectHost,
    dropTarget: HTMLElement,
  ) {
    button.addEventListener("click", () => input.click());
    input.addEventListener("change", () => {
      const file = input.files?.[0];
      if (file !== undefined) void this.open(file);
      input.value = ""; // the same file can be opened again
    });
    select.addEventListener("change", () => this.choose(select.value));
    // A drop anywhere on the page; the editor's own text drops (a string, no file) stay its.
    dropTarget.addEventListener("dragover", (event) => {
      if (!event.dataTransfer?.types.includes("Files")) return;
      event.preventDefault();
      event.dataTransfer.dropEffect = "copy";
    });
    dropTarget.addEventListener("drop", (event) => {
      const file = event.dataTransfer?.files[0];
      if (file === undefined) return;
      event.preventDefault();
      event.stopPropagation();
      void this.open(file);
    });
  }

  /** Reads `file`: an object's programs fill the Program menu and the first loadable one is
   * shown; anything else is named in a message and changes nothing. */
  async open(file: File): Promise<void> {
    const bytes = new Uint8Array(await file.arrayBuffer());
    if (!ELF_MAGIC.every((b, i) => bytes[i] === b)) {
      this.host.notify(`${file.name} is not a BPF object file (it does not start with \\x7fELF): open assembly text by pasting it into the editor.`, "error");
      return;
    }
    let view: ObjectView;
    try {
      view = await (await this.host.unwind()).openObject(bytes);
    } catch (error) {
      this.host.notify(`Could not open ${file.name}: ${String(error)}`, "error");
      return;
    }
    if (view.error !== null) {
      this.host.notify(`${file.name}: ${view.error}`, "error");
      return;
    }
    const usable = view.programs.filter((p) => p.source !== null);
    if (usable.length === 0) {
      const why = view.programs.map((p) => `${p.name}: ${p.error ?? "?"}`).join("; ");
      this.host.notify(`${file.name} has no program Unwind can load${why === "" ? "" : ` (${why})`}.`, "error");
      return;
    }
    this.opened = { file: file.name, view };
    this.select.replaceChildren(
      ...view.programs.map((p) => {
        const option = new Option(`${p.name} (SEC("${p.section}"))`, p.name);
        option.disabled = p.source === null;
        if (p.error !== null) option.title = p.error;
        return option;
      }),
    );
    this.label.hidden = false;
    this.select.value = usable[0]!.name;
    this.choose(usable[0]!.name);
  }

  /** The page shows something else (an example, a link): the menu goes. */
  forget(): void {
    this.opened = null;
    this.label.hidden = true;
    this.select.replaceChildren();
  }

  private choose(name: string): void {
    const program = this.opened?.view.programs.find((p) => p.name === name);
    if (this.opened === null || program === undefined || program.source === null) return;
    this.host.load(program, this.opened.file);
  }
}

// How the page looks: the theme (system, light or dark) and the presentation size (larger
// text, fewer panes, for projectors). Both are attributes on <html> that the style sheet reads
// (`data-theme`, `data-size`) and are remembered in local storage; index.html applies the
// remembered ones before the first paint.

export type Theme = "system" | "light" | "dark";

const STORAGE_KEY = "unwind.view.v1";

interface View {
  theme: Theme;
  size: "normal" | "presentation";
}

function load(): View {
  const root = document.documentElement;
  const theme = root.dataset["theme"];
  return {
    theme: theme === "light" || theme === "dark" ? theme : "system",
    size: root.dataset["size"] === "presentation" ? "presentation" : "normal",
  };
}

function save(view: View): void {
  try {
    localStorage.setItem(STORAGE_KEY, JSON.stringify(view));
  } catch {
    // Unavailable: the choice lasts for this visit only.
  }
}

function apply(view: View): void {
  const root = document.documentElement;
  if (view.theme === "system") delete root.dataset["theme"];
  else root.dataset["theme"] = view.theme;
  if (view.size === "presentation") root.dataset["size"] = "presentation";
  else delete root.dataset["size"];
}

/** Wires the Theme menu and the Present toggle. */
export function setUpView(themeSelect: HTMLSelectElement, presentButton: HTMLButtonElement): void {
  const view = load();
  themeSelect.value = view.theme;
  presentButton.setAttribute("aria-pressed", String(view.size === "presentation"));
  themeSelect.addEventListener("change", () => {
    view.theme = themeSelect.value as Theme;
    apply(view);
    save(view);
  });
  presentButton.addEventListener("click", () => {
    view.size = view.size === "presentation" ? "normal" : "presentation";
    presentButton.setAttribute("aria-pressed", String(view.size === "presentation"));
    apply(view);
    save(view);
  });
}

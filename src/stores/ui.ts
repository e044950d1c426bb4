// UI state that outlives a page: the colour scheme. Kept in localStorage. (The navigation drawer
// of narrow screens is not kept: it is closed on every load and after every navigation.)
import { create } from "zustand";
import { persist } from "zustand/middleware";
import { THEME_STORAGE_KEY } from "./storage-key.ts";

export type ThemeChoice = "light" | "dark" | "system";

interface UiState {
  theme: ThemeChoice;
  setTheme: (theme: ThemeChoice) => void;
}

export const useUiStore = create<UiState>()(
  persist(
    (set) => ({
      theme: "system",
      setTheme: (theme) => {
        set({ theme });
      },
    }),
    { name: THEME_STORAGE_KEY },
  ),
);

/** Puts the chosen scheme on <html> (HeroUI's dark theme keys on the "dark" class). */
export function applyTheme(theme: ThemeChoice): void {
  const dark =
    theme === "dark" || (theme === "system" && window.matchMedia("(prefers-color-scheme: dark)").matches);
  document.documentElement.classList.toggle("dark", dark);
  document.documentElement.classList.toggle("light", !dark);
  document.documentElement.style.colorScheme = dark ? "dark" : "light";
}

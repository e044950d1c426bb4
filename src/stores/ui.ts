// UI state that outlives a page: the colour scheme and the sidebar. Kept in localStorage.
import { create } from "zustand";
import { persist } from "zustand/middleware";
import { THEME_STORAGE_KEY } from "./storage-key.ts";

export type ThemeChoice = "light" | "dark" | "system";

interface UiState {
  theme: ThemeChoice;
  sidebarCollapsed: boolean;
  setTheme: (theme: ThemeChoice) => void;
  toggleSidebar: () => void;
}

export const useUiStore = create<UiState>()(
  persist(
    (set) => ({
      theme: "system",
      sidebarCollapsed: false,
      setTheme: (theme) => {
        set({ theme });
      },
      toggleSidebar: () => {
        set((state) => ({ sidebarCollapsed: !state.sidebarCollapsed }));
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

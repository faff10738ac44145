// What configuration checks ask of the file system: the paths settings name must exist and be
// usable. loadConfig takes it as a parameter, so tests and the doctor (which creates nothing)
// pass their own.
import { accessSync, constants as fsConstants, mkdirSync, statSync } from 'node:fs';

export type FileSystemProbe = {
  /** Creates the directory if needed; returns a reason when it cannot be written to. */
  prepareWritableDir(path: string): string | null;
  isReadableFile(path: string): boolean;
  isReadableDir(path: string): boolean;
};

export function isReadableFile(path: string): boolean {
  try {
    accessSync(path, fsConstants.R_OK);
    return statSync(path).isFile();
  } catch {
    return false;
  }
}

export function isReadableDir(path: string): boolean {
  try {
    accessSync(path, fsConstants.R_OK | fsConstants.X_OK);
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}

/** The service's: the data directory is created when missing. */
export const realFileSystem: FileSystemProbe = {
  prepareWritableDir(path) {
    try {
      mkdirSync(path, { recursive: true, mode: 0o700 });
      if (!statSync(path).isDirectory()) return 'is not a directory';
      accessSync(path, fsConstants.W_OK | fsConstants.R_OK);
      return null;
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code ?? 'error';
      return `cannot be created or written (${code})`;
    }
  },
  isReadableFile,
  isReadableDir,
};

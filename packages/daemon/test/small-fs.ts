import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, statfsSync, writeFileSync } from 'node:fs';

/** A small tmpfs mounted for a test, or why it could not be. */
export type SmallFs =
  | {
      ok: true;
      path: string;
      /** Bytes free now. */
      free(): number;
      /**
       * Appends `bytes` (Infinity: until ENOSPC) bytes of `byte` to `file`, in 64 KiB pieces and
       * then smaller ones down to 1 byte at ENOSPC; returns the bytes written.
       */
      fill(file: string, bytes: number, byte?: string): number;
      /** Unmounts (lazily: a process that still has a file open does not block it) and removes the mount point. */
      unmount(): void;
    }
  | { ok: false; reason: string };

/**
 * Mounts a tmpfs of `sizeMiB` MiB on a new directory under /tmp (short: Unix socket paths must
 * stay under 104 bytes). Needs root, and a kernel that lets this process mount (CI runs as root
 * on such machines); otherwise says why, for the test to skip with that reason.
 */
export function mountSmallFs(sizeMiB: number, prefix = 'x-fd-'): SmallFs {
  const path = mkdtempSync(`/tmp/${prefix}`);
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${sizeMiB}m,mode=0700`, 'tmpfs', path], {
      stdio: 'pipe',
    });
  } catch (error) {
    rmSync(path, { recursive: true, force: true });
    const stderr = (error as { stderr?: Buffer }).stderr?.toString().trim();
    return {
      ok: false,
      reason: `cannot mount a ${sizeMiB} MiB tmpfs (needs root and mount rights): ${stderr || (error as Error).message}`,
    };
  }
  return {
    ok: true,
    path,
    free: () => {
      const stat = statfsSync(path);
      return stat.bavail * stat.bsize;
    },
    fill: (file, bytes, byte = '\0') => {
      const piece = Buffer.alloc(64 * 1024, byte);
      let size = piece.length;
      let written = 0;
      while (written < bytes && size >= 1) {
        const n = Math.min(size, bytes - written);
        try {
          writeFileSync(file, piece.subarray(0, n), { flag: 'a' });
          written += n;
        } catch {
          // ENOSPC (part of the piece may be written: the count is a lower bound): smaller.
          size = Math.floor(size / 2);
        }
      }
      return written;
    },
    unmount: () => {
      try {
        execFileSync('umount', ['-l', path], { stdio: 'pipe' });
      } catch {
        // Already gone.
      }
      rmSync(path, { recursive: true, force: true });
    },
  };
}

/* Test set-up only, never shipped: a stand-in for Windows 10's bcryptprimitives.dll, which
 * Wine 8 lacks. Rust's standard library (python-calamine, cryptography) imports ProcessPrng
 * from it for random bytes; here it asks BCryptGenRandom, which Wine has, for the same.
 * scripts/windows_check.py compiles it with mingw-w64 into the Wine prefix's system32. */
#include <windows.h>
#include <bcrypt.h>

__declspec(dllexport) BOOL WINAPI ProcessPrng(PBYTE data, SIZE_T length) {
  while (length > 0) {
    ULONG chunk = length > 0x40000000 ? 0x40000000 : (ULONG)length;
    if (!BCRYPT_SUCCESS(BCryptGenRandom(NULL, data, chunk, BCRYPT_USE_SYSTEM_PREFERRED_RNG)))
      return FALSE;
    data += chunk;
    length -= chunk;
  }
  return TRUE;
}

const VERSION = /^\d{1,9}(\.\d{1,9}){0,7}$/;
/**
 * Compares dotted numeric versions part by part as numbers, missing parts being 0 (so 1 = 1.0 and
 * 1.10 > 1.9). Returns null when `version` is not such a version.
 */
export function compareVersions(version, minimum) {
    if (!VERSION.test(version))
        return null;
    const a = version.split('.').map(Number);
    const b = minimum.split('.').map(Number);
    for (let i = 0; i < Math.max(a.length, b.length); i++) {
        const d = (a[i] ?? 0) - (b[i] ?? 0);
        if (d !== 0)
            return Math.sign(d);
    }
    return 0;
}

import * as core from './001_core.js';
import * as opretail from './002_opretail.js';
import * as sandboxOutbox from './003_sandbox_outbox.js';
import * as storepos from './004_storepos.js';
import * as onceLog from './005_once_log.js';
/** The one migration set, in order. Add a file per change; never edit one that has shipped. */
export const migrations = {
    '001_core': core,
    '002_opretail': opretail,
    '003_sandbox_outbox': sandboxOutbox,
    '004_storepos': storepos,
    '005_once_log': onceLog,
};

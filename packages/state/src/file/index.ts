export { createFileStore } from './file-store.js';
export type { FileStoreOptions } from './file-store-options.js';
export { parseRecordDirName, recordDirName } from './record-dir-name.js';

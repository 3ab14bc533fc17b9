/**
 * `kaifang/client`: the typed clients of kaifang's fronts, usable against kaifang or the original
 * hosts, shipped without the server (they import nothing but each other and the signing module).
 */
export * from './jucai.ts';
export * from './opretail.ts';
export * from './storepos.ts';
export * from './weiting.ts';

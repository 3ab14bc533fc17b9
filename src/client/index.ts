/**
 * `kaifang/client`: the typed clients of kaifang's fronts, usable against kaifang or the original
 * hosts, shipped without the server (each imports only the kernel, src/client's helpers and its
 * own front's signing and wire types). Written by bin/client-index.js from the fronts that have a
 * client.ts; do not edit.
 */
export * from '../fronts/jucai/client.ts';
export * from '../fronts/opretail/client.ts';
export * from '../fronts/storepos/client.ts';
export * from '../fronts/weiting/client.ts';

export * from './node';
export * from './store';
export * from './trie';

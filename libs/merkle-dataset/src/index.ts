export * from './node';
export * from './store';
export * from './trie-node.repository';
export * from './trie';

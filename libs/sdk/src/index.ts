export * from './bounded-buffer';
export * from './encode';
export * from './recorder';

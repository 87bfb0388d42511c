//! A hash-consing table: equal values get one index.

use rustc_hash::FxHashMap;
use std::hash::Hash;

/// Stores each distinct value once and hands out dense `u32` indices.
#[derive(Debug)]
pub(crate) struct Interner<T> {
    items: Vec<T>,
    index: FxHashMap<T, u32>,
}

impl<T: Clone + Eq + Hash> Interner<T> {
    pub(crate) fn new() -> Self {
        Interner {
            items: Vec::new(),
            index: FxHashMap::default(),
        }
    }

    pub(crate) fn intern(&mut self, value: T) -> u32 {
        if let Some(&i) = self.index.get(&value) {
            return i;
        }
        let i = self.items.len() as u32;
        self.items.push(value.clone());
        self.index.insert(value, i);
        i
    }

    pub(crate) fn get(&self, i: u32) -> &T {
        &self.items[i as usize]
    }

    /// Whether `i` names an item of this table (handles from another table may not).
    pub(crate) fn contains_index(&self, i: u32) -> bool {
        (i as usize) < self.items.len()
    }
}

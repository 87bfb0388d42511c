//! A hash-consing table: equal values get one index.

use rustc_hash::FxBuildHasher;
use std::hash::{BuildHasher, Hash};

/// Stores each distinct value once and hands out dense `u32` indices. The hash table
/// holds indices into `items`, so a value is stored (and, when new, moved in) once.
#[derive(Debug)]
pub(crate) struct Interner<T> {
    items: Vec<T>,
    index: hashbrown::HashTable<u32>,
}

impl<T: Eq + Hash> Interner<T> {
    pub(crate) fn new() -> Self {
        Interner {
            items: Vec::new(),
            index: hashbrown::HashTable::new(),
        }
    }

    pub(crate) fn intern(&mut self, value: T) -> u32 {
        let hash = FxBuildHasher.hash_one(&value);
        let items = &self.items;
        let entry = self.index.entry(
            hash,
            |&i| items[i as usize] == value,
            |&i| FxBuildHasher.hash_one(&items[i as usize]),
        );
        match entry {
            hashbrown::hash_table::Entry::Occupied(e) => *e.get(),
            hashbrown::hash_table::Entry::Vacant(e) => {
                let i = self.items.len() as u32;
                e.insert(i);
                self.items.push(value);
                i
            }
        }
    }

    pub(crate) fn get(&self, i: u32) -> &T {
        &self.items[i as usize]
    }

    /// Whether `i` names an item of this table (handles from another table may not).
    pub(crate) fn contains_index(&self, i: u32) -> bool {
        (i as usize) < self.items.len()
    }
}

//! [`NumberMap`]: tables keyed by the numbers printers name values with (`%0`, `%17`).

use rustc_hash::FxHashMap;

/// How far beyond twice the count of numbers held a new number may lie and still get a
/// slot, so that the slots stay within a constant factor of the entries.
const SLACK: usize = 1024;

/// A map from numbers to `T`. Numbers written by printers are dense from zero, so a
/// number up to a little beyond twice as many as the map holds is a slot of a vector,
/// which takes a fraction of a hash table's memory and needs no hashing; a number far
/// beyond (`%1000000` alone) is hashed.
pub(crate) struct NumberMap<T> {
    slots: Vec<Option<T>>,
    /// How many slots are filled.
    in_slots: usize,
    far: FxHashMap<u32, T>,
}

impl<T> Default for NumberMap<T> {
    fn default() -> Self {
        NumberMap {
            slots: Vec::new(),
            in_slots: 0,
            far: FxHashMap::default(),
        }
    }
}

impl<T> NumberMap<T> {
    /// The filled slot of `n`, if `n` lives in the slots.
    fn slot(&self, n: u32) -> Option<usize> {
        let i = n as usize;
        self.slots.get(i).is_some_and(Option::is_some).then_some(i)
    }

    pub(crate) fn get(&self, n: u32) -> Option<&T> {
        match self.slot(n) {
            Some(i) => self.slots[i].as_ref(),
            None => self.far.get(&n),
        }
    }

    pub(crate) fn get_mut(&mut self, n: u32) -> Option<&mut T> {
        match self.slot(n) {
            Some(i) => self.slots[i].as_mut(),
            None => self.far.get_mut(&n),
        }
    }

    pub(crate) fn contains(&self, n: u32) -> bool {
        self.get(n).is_some()
    }

    /// Sets the entry of `n`, returning the one before.
    pub(crate) fn insert(&mut self, n: u32, value: T) -> Option<T> {
        if let Some(i) = self.slot(n) {
            return self.slots[i].replace(value);
        }
        let i = n as usize;
        let room = self.slots.len().max(2 * self.in_slots + SLACK);
        if i >= room || self.far.contains_key(&n) {
            return self.far.insert(n, value);
        }
        if i >= self.slots.len() {
            self.slots.resize_with(i + 1, || None);
        }
        self.in_slots += 1;
        self.slots[i] = Some(value);
        None
    }

    /// Removes the entry of `n`, returning it.
    pub(crate) fn remove(&mut self, n: u32) -> Option<T> {
        match self.slot(n) {
            Some(i) => {
                self.in_slots -= 1;
                self.slots[i].take()
            }
            None => self.far.remove(&n),
        }
    }

    /// Keeps the entries `keep` is true of.
    pub(crate) fn retain(&mut self, mut keep: impl FnMut(&mut T) -> bool) {
        for slot in &mut self.slots {
            if slot.as_mut().is_some_and(|value| !keep(value)) {
                *slot = None;
                self.in_slots -= 1;
            }
        }
        self.far.retain(|_, value| keep(value));
    }

    /// Every entry, in no particular order.
    pub(crate) fn iter(&self) -> impl Iterator<Item = (u32, &T)> {
        let slots = (0u32..)
            .zip(&self.slots)
            .filter_map(|(n, slot)| Some((n, slot.as_ref()?)));
        slots.chain(self.far.iter().map(|(&n, value)| (n, value)))
    }

    /// The room the map holds.
    pub(crate) fn capacity(&self) -> usize {
        self.slots.len().max(self.far.capacity())
    }

    /// Empties the map, keeping its room.
    pub(crate) fn clear(&mut self) {
        self.slots.clear();
        self.in_slots = 0;
        self.far.clear();
    }
}

#[cfg(test)]
mod tests {
    use super::NumberMap;

    #[test]
    fn dense_and_far_numbers_are_one_map() {
        let mut map = NumberMap::default();
        assert_eq!(map.insert(2000, "far"), None);
        for n in 0..600 {
            assert_eq!(map.insert(n, "near"), None);
        }
        // The slots now reach past 2000, which still lives in the far table.
        assert_eq!(map.insert(1500, "grown"), None);
        assert_eq!(map.get(2000), Some(&"far"));
        assert_eq!(map.insert(2000, "again"), Some("far"));
        assert_eq!(map.get(2000), Some(&"again"));
        assert_eq!(map.insert(u32::MAX, "max"), None);
        assert!(map.contains(u32::MAX));
        assert_eq!(map.remove(7), Some("near"));
        assert!(!map.contains(7));
        assert_eq!(map.remove(7), None);
        map.retain(|v| *v != "near");
        let mut left: Vec<_> = map.iter().map(|(n, v)| (n, *v)).collect();
        left.sort();
        assert_eq!(left, [(1500, "grown"), (2000, "again"), (u32::MAX, "max")]);
        map.clear();
        assert_eq!(map.iter().count(), 0);
        assert_eq!(map.insert(3, "fresh"), None);
        assert_eq!(
            map.get_mut(3).map(|v| std::mem::replace(v, "changed")),
            Some("fresh")
        );
        assert_eq!(map.get(3), Some(&"changed"));
    }
}

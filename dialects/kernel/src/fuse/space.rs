//! Iteration spaces and maps for `kernel-fuse`: re-expressing a kernel over a finer space
//! (so that `[1024, 256]` and `[8, 128, 256]` loop nests can merge), collapsing it back,
//! and composing a read through a view with the identity store of the kernel that wrote
//! the buffer (so that a consumer can recompute the value a producer stored).

use crate::attrs::{Map, contiguous};

/// The coarsest space both `a` and `b` split into: the dims between the union of their
/// prefix products, when each of those divides the next (`[1024, 256]` and `[8, 128, 256]`
/// give `[8, 128, 256]`; `[6, 4]` and `[4, 6]` give none). Unit dims disappear.
pub fn common_space(a: &[u64], b: &[u64]) -> Option<Vec<u64>> {
    if a == b {
        return Some(a.to_vec());
    }
    let total: u64 = a.iter().product();
    if total == 0 || total != b.iter().product::<u64>() {
        return None;
    }
    let mut cuts: Vec<u64> = Vec::new();
    for s in [a, b] {
        let mut p = 1u64;
        for &d in s {
            p *= d;
            cuts.push(p);
        }
    }
    cuts.sort_unstable();
    cuts.dedup();
    let mut dims = Vec::new();
    let mut prev = 1u64;
    for c in cuts {
        if c == 1 {
            continue;
        }
        if c % prev != 0 {
            return None;
        }
        dims.push(c / prev);
        prev = c;
    }
    Some(dims)
}

/// For each dim of `space`, the dims of `finer` it splits into (none for a unit dim), when
/// `finer` refines `space`.
fn split_of(space: &[u64], finer: &[u64]) -> Option<Vec<std::ops::Range<usize>>> {
    let mut ranges = Vec::with_capacity(space.len());
    let mut j = 0;
    for &d in space {
        let start = j;
        let mut p = 1u64;
        while p < d && j < finer.len() {
            p *= finer[j];
            j += 1;
        }
        if p != d {
            return None;
        }
        ranges.push(start..j);
    }
    // Trailing unit dims of `finer` (none come from `common_space`) belong to no dim.
    finer[j..].iter().all(|&d| d == 1).then_some(ranges)
}

/// `map` over `space` as the same accesses over `finer`, a refinement of `space`: a dim of
/// stride `s` split into `[a, b]` reads with strides `[s * b, s]`.
pub fn refine_map(map: &Map, space: &[u64], finer: &[u64]) -> Option<Map> {
    if space == finer {
        return Some(map.clone());
    }
    let ranges = split_of(space, finer)?;
    let mut strides = vec![0i64; finer.len()];
    for (d, range) in ranges.into_iter().enumerate() {
        let mut s = map.strides[d];
        for j in range.rev() {
            strides[j] = s;
            s *= finer[j] as i64;
        }
    }
    Some(Map {
        offset: map.offset,
        strides,
    })
}

/// The dims of `space` that every map lets merge with the next one (`s[d] == s[d+1] *
/// n[d+1]`, unit dims dropped): the space and maps of the same loop nest with fewer,
/// longer loops. `None` when nothing collapses.
pub fn collapse(space: &[u64], maps: &[Map]) -> Option<(Vec<u64>, Vec<Map>)> {
    let keep: Vec<usize> = (0..space.len()).filter(|&d| space[d] != 1).collect();
    let mut dims: Vec<u64> = keep.iter().map(|&d| space[d]).collect();
    let mut strides: Vec<Vec<i64>> = maps
        .iter()
        .map(|m| keep.iter().map(|&d| m.strides[d]).collect())
        .collect();
    let mut d = dims.len();
    while d >= 2 {
        d -= 1;
        let inner = dims[d];
        if strides.iter().all(|s| s[d - 1] == s[d] * inner as i64) {
            dims[d - 1] *= inner;
            dims.remove(d);
            for s in &mut strides {
                s.remove(d - 1);
            }
        }
    }
    if dims.len() == space.len() {
        return None;
    }
    let maps = maps
        .iter()
        .zip(strides)
        .map(|(m, strides)| Map {
            offset: m.offset,
            strides,
        })
        .collect();
    Some((dims, maps))
}

/// An index of a producer's space as a function of a consumer's loop indices:
/// `offset + sum(coefs[k] * i[k])`.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct Linear {
    pub offset: i64,
    pub coefs: Vec<i64>,
}

/// Where a read lands in the space of the kernel that stored the buffer: the producer
/// iterates over `space` and stores point `p` at element `sum(contiguous(space)[d] * p[d])`
/// (an identity map); the consumer reads element `read.offset + sum(read.strides[k] * i[k])`
/// at point `i` of `reader_space`. Each consumer dim must move along one producer dim
/// (its stride a multiple of that dim's, below the next one's) and never carry into the
/// next: then `p[d]` is linear in `i`, one [`Linear`] per producer dim. Transposes, head
/// splits, slices and broadcasts compose; a reshape that mixes dims does not.
pub fn compose(space: &[u64], read: &Map, reader_space: &[u64]) -> Option<Vec<Linear>> {
    if read.offset < 0
        || read.strides.iter().any(|&s| s < 0)
        || reader_space.contains(&0)
        || space.contains(&0)
    {
        return None;
    }
    let strides = contiguous(space);
    if read.offset as u64 >= space.iter().product::<u64>() {
        return None;
    }
    let mut forms: Vec<Linear> = space
        .iter()
        .zip(&strides)
        .map(|(&n, &c)| Linear {
            offset: (read.offset / c) % n as i64,
            coefs: vec![0; reader_space.len()],
        })
        .collect();
    for (k, (&t, &n)) in read.strides.iter().zip(reader_space).enumerate() {
        if t == 0 || n == 1 {
            continue;
        }
        // The producer dim whose stride is the largest not above `t` (unit dims never).
        let d = (0..space.len())
            .filter(|&d| space[d] > 1 && strides[d] <= t)
            .min_by_key(|&d| t - strides[d])?;
        if t % strides[d] != 0 {
            return None;
        }
        forms[d].coefs[k] = t / strides[d];
    }
    for (form, &n) in forms.iter().zip(space) {
        let reach: i64 = form
            .coefs
            .iter()
            .zip(reader_space)
            .map(|(&c, &m)| c * (m as i64 - 1))
            .sum();
        if form.offset + reach >= n as i64 {
            return None;
        }
    }
    Some(forms)
}

/// A map over the producer's space seen from the consumer's:
/// `map.offset + sum(map.strides[d] * p[d])` with `p[d]` the forms [`compose`] gives.
pub fn compose_map(map: &Map, forms: &[Linear], reader_rank: usize) -> Map {
    let mut out = Map {
        offset: map.offset,
        strides: vec![0; reader_rank],
    };
    for (&s, form) in map.strides.iter().zip(forms) {
        out.offset += s * form.offset;
        for (k, &c) in form.coefs.iter().enumerate() {
            out.strides[k] += s * c;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn m(offset: i64, strides: &[i64]) -> Map {
        Map {
            offset,
            strides: strides.to_vec(),
        }
    }

    #[test]
    fn common_space_splits_at_every_cut() {
        assert_eq!(
            common_space(&[1024, 256], &[8, 128, 256]),
            Some(vec![8, 128, 256])
        );
        assert_eq!(
            common_space(&[8, 128, 256], &[256, 1024]),
            Some(vec![8, 32, 4, 256])
        );
        assert_eq!(common_space(&[8, 128, 1], &[1024]), Some(vec![8, 128]));
        assert_eq!(common_space(&[6, 4], &[4, 6]), None);
        assert_eq!(common_space(&[6, 4], &[6, 5]), None);
        assert_eq!(common_space(&[4, 4], &[4, 4]), Some(vec![4, 4]));
    }

    #[test]
    fn refined_maps_read_the_same_elements() {
        // [1024, 256] row-major as [8, 128, 256].
        assert_eq!(
            refine_map(&m(0, &[256, 1]), &[1024, 256], &[8, 128, 256]),
            Some(m(0, &[32768, 256, 1]))
        );
        // A column broadcast (stride 0) splits into zeros.
        assert_eq!(
            refine_map(&m(3, &[0, 1]), &[1024, 256], &[8, 128, 256]),
            Some(m(3, &[0, 0, 1]))
        );
        // A unit dim disappears.
        assert_eq!(
            refine_map(&m(0, &[128, 1, 7]), &[8, 128, 1], &[8, 128]),
            Some(m(0, &[128, 1]))
        );
        assert_eq!(refine_map(&m(0, &[4, 1]), &[6, 4], &[4, 6]), None);
    }

    #[test]
    fn collapse_merges_dims_every_map_walks_contiguously() {
        let (space, maps) = collapse(
            &[8, 128, 256],
            &[m(0, &[32768, 256, 1]), m(0, &[128, 1, 0])],
        )
        .expect("the outer dims merge");
        assert_eq!(space, vec![1024, 256]);
        assert_eq!(maps, vec![m(0, &[256, 1]), m(0, &[1, 0])]);
        // A transposed read keeps its dims.
        assert_eq!(collapse(&[4, 4], &[m(0, &[4, 1]), m(0, &[1, 4])]), None);
        let (space, _) = collapse(&[4, 1, 4], &[m(0, &[4, 9, 1])]).expect("unit dims go");
        assert_eq!(space, vec![16]);
    }

    #[test]
    fn reads_through_views_compose_with_identity_stores() {
        // The K head of a [1024, 768] qkv buffer read as [8, 4, 128, 64] (b, h, t, e):
        // row b * 128 + t, column 256 + h * 64 + e.
        let forms = compose(
            &[1024, 768],
            &m(256, &[98304, 64, 768, 1]),
            &[8, 4, 128, 64],
        )
        .expect("composes");
        assert_eq!(
            forms,
            vec![
                Linear {
                    offset: 0,
                    coefs: vec![128, 0, 1, 0]
                },
                Linear {
                    offset: 256,
                    coefs: vec![0, 64, 0, 1]
                },
            ]
        );
        // The bias of that buffer ([768] broadcast over rows) seen from the head read.
        assert_eq!(
            compose_map(&m(0, &[0, 1]), &forms, 4),
            m(256, &[0, 64, 0, 1])
        );
        // A row statistic [8, 128, 1] broadcast along the last dim.
        let forms = compose(&[8, 128, 1], &m(0, &[128, 1, 0]), &[8, 128, 256]).expect("bcast");
        assert_eq!(
            compose_map(&m(0, &[128, 1, 5]), &forms, 3),
            m(0, &[128, 1, 0])
        );
        // A transpose.
        let forms = compose(&[4, 6], &m(0, &[1, 6]), &[6, 4]).expect("transpose");
        assert_eq!(compose_map(&m(0, &[6, 1]), &forms, 2), m(0, &[1, 6]));
        // A flattening reshape of a [4, 6] space into [24] reads across rows: no form.
        assert_eq!(compose(&[4, 6], &m(0, &[1]), &[24]), None);
        // Reading past a row carries into the next one.
        assert_eq!(compose(&[4, 6], &m(3, &[6, 1]), &[4, 4]), None);
    }
}

//! The (actual, predicted) → weight cells of a confusion summary. Bool labels and int labels in
//! 0..16 (nearly every classifier's) live in a small dense matrix indexed by the labels
//! themselves: a row's update is two comparisons and an index, where a map hashed or compared
//! both labels (issue 20: 10 % of `confusion_agg` and `cbpe_agg`). Any other label moves every
//! cell to an ordered map for good. Both iterate in (actual, predicted) order.

use super::super::label::Label;
use crate::ordered_map::OrderedMap;

type Key = (Label, Label);

/// Labels with a code below this side stay in the dense matrix.
const SIDE: usize = 16;

#[derive(Debug, Clone)]
pub enum Cells {
    Dense(Dense),
    Map(OrderedMap<Key, f64>),
}

#[derive(Debug, Clone, Default)]
pub struct Dense {
    /// Whether the labels are bools (else ints); unset while empty.
    bools: Option<bool>,
    /// Side of the matrix (largest code + 1).
    side: usize,
    /// Per index `a · side + p`: the key (built once) and the weight when present.
    keys: Vec<Key>,
    weights: Vec<Option<f64>>,
}

impl Default for Cells {
    fn default() -> Self {
        Cells::Dense(Dense::default())
    }
}

fn code(l: &Label) -> Option<(bool, usize)> {
    match *l {
        Label::Bool(b) => Some((true, b as usize)),
        Label::Int(i) if (0..SIDE as i64).contains(&i) => Some((false, i as usize)),
        _ => None,
    }
}

fn label(bools: bool, c: usize) -> Label {
    if bools {
        Label::Bool(c == 1)
    } else {
        Label::Int(c as i64)
    }
}

impl Dense {
    /// Index of a key whose labels fit this matrix (growing it if needed); `None` otherwise.
    #[inline]
    fn index(&mut self, (a, p): &Key) -> Option<usize> {
        let ((ka, ca), (kp, cp)) = (code(a)?, code(p)?);
        if ka != kp || self.bools.is_some_and(|b| b != ka) {
            return None;
        }
        let need = ca.max(cp) + 1;
        if need > self.side || self.bools.is_none() {
            self.grow(ka, need.max(self.side));
        }
        Some(ca * self.side + cp)
    }

    /// Index of a present key, without growing.
    #[inline]
    fn find(&self, (a, p): &Key) -> Option<usize> {
        let ((ka, ca), (kp, cp)) = (code(a)?, code(p)?);
        if Some(ka) != self.bools || ka != kp || ca >= self.side || cp >= self.side {
            return None;
        }
        let i = ca * self.side + cp;
        self.weights[i].is_some().then_some(i)
    }

    fn grow(&mut self, bools: bool, side: usize) {
        let mut weights = vec![None; side * side];
        for (i, w) in self.weights.iter().enumerate() {
            weights[(i / self.side) * side + i % self.side] = *w;
        }
        self.keys = (0..side * side)
            .map(|i| (label(bools, i / side), label(bools, i % side)))
            .collect();
        self.weights = weights;
        self.side = side;
        self.bools = Some(bools);
    }

    fn present(&self) -> impl DoubleEndedIterator<Item = (&Key, &f64)> + '_ {
        self.keys
            .iter()
            .zip(&self.weights)
            .filter_map(|(k, w)| w.as_ref().map(|w| (k, w)))
    }
}

impl Cells {
    #[inline]
    pub fn get_mut(&mut self, key: &Key) -> Option<&mut f64> {
        match self {
            Cells::Dense(d) => {
                let i = d.find(key)?;
                d.weights[i].as_mut()
            }
            Cells::Map(m) => m.get_mut(key),
        }
    }

    pub fn get(&self, key: &Key) -> Option<&f64> {
        match self {
            Cells::Dense(d) => d.weights[d.find(key)?].as_ref(),
            Cells::Map(m) => m.get(key),
        }
    }

    pub fn contains_key(&self, key: &Key) -> bool {
        match self {
            Cells::Dense(d) => d.find(key).is_some(),
            Cells::Map(m) => m.contains_key(key),
        }
    }

    /// Sets the weight of `key` (adding the cell when new).
    pub fn insert(&mut self, key: Key, weight: f64) {
        if let Cells::Dense(d) = self {
            if let Some(i) = d.index(&key) {
                d.weights[i] = Some(weight);
                return;
            }
            let map = d.present().map(|(k, &w)| (k.clone(), w)).collect();
            *self = Cells::Map(map);
        }
        if let Cells::Map(m) = self {
            m.insert(key, weight);
        }
    }

    /// (key, weight) in ascending key order.
    pub fn iter(&self) -> Box<dyn DoubleEndedIterator<Item = (&Key, &f64)> + '_> {
        match self {
            Cells::Dense(d) => Box::new(d.present()),
            Cells::Map(m) => Box::new(m.iter()),
        }
    }

    pub fn keys(&self) -> impl DoubleEndedIterator<Item = &Key> + '_ {
        self.iter().map(|(k, _)| k)
    }

    pub fn values(&self) -> impl DoubleEndedIterator<Item = &f64> + '_ {
        self.iter().map(|(_, w)| w)
    }

    pub fn first_key(&self) -> Option<&Key> {
        self.keys().next()
    }

    /// Adds `w` to the present cell (Int(a), Int(p)) of a dense int matrix; false (nothing done)
    /// otherwise. CBPE's per-row path: no label is built or compared.
    #[inline]
    pub fn add_to_int_cell(&mut self, a: usize, p: usize, w: f64) -> bool {
        if let Cells::Dense(d) = self
            && d.bools == Some(false)
            && a < d.side
            && p < d.side
            && let Some(cell) = &mut d.weights[a * d.side + p]
        {
            *cell += w;
            return true;
        }
        false
    }

    /// A key whose labels are of the summary's kind, in O(1) (the per-row kind check).
    #[inline]
    pub fn kind_key(&self) -> Option<&Key> {
        match self {
            Cells::Dense(d) => d.bools.and(d.keys.first()),
            Cells::Map(m) => m.first_key(),
        }
    }

    pub fn len(&self) -> usize {
        match self {
            Cells::Dense(d) => d.weights.iter().filter(|w| w.is_some()).count(),
            Cells::Map(m) => m.len(),
        }
    }

    pub fn is_empty(&self) -> bool {
        self.first_key().is_none()
    }
}

impl<'a> IntoIterator for &'a Cells {
    type Item = (&'a Key, &'a f64);
    type IntoIter = Box<dyn DoubleEndedIterator<Item = (&'a Key, &'a f64)> + 'a>;

    fn into_iter(self) -> Self::IntoIter {
        self.iter()
    }
}

impl PartialEq for Cells {
    fn eq(&self, o: &Self) -> bool {
        self.iter().eq(o.iter())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dense_cells_grow_and_move_to_the_map_in_order() {
        let mut c = Cells::default();
        c.insert((Label::Int(1), Label::Int(0)), 2.0);
        c.insert((Label::Int(0), Label::Int(3)), 1.0);
        *c.get_mut(&(Label::Int(1), Label::Int(0))).unwrap() += 0.5;
        assert!(matches!(c, Cells::Dense(_)));
        assert_eq!(c.get_mut(&(Label::Int(3), Label::Int(3))), None);
        assert_eq!(c.get_mut(&(Label::Bool(true), Label::Bool(true))), None);
        let dense: Vec<_> = c.iter().map(|(k, &w)| (k.clone(), w)).collect();
        assert_eq!(
            dense,
            [
                ((Label::Int(0), Label::Int(3)), 1.0),
                ((Label::Int(1), Label::Int(0)), 2.5)
            ]
        );
        c.insert((Label::Int(-1), Label::Int(0)), 4.0);
        assert!(matches!(c, Cells::Map(_)));
        assert_eq!(c.len(), 3);
        assert_eq!(c.first_key(), Some(&(Label::Int(-1), Label::Int(0))));
        assert_eq!(c.get_mut(&(Label::Int(1), Label::Int(0))), Some(&mut 2.5));
    }
}

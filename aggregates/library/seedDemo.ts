import type { Book, Patron } from './catalog.js';

/*
 * The demo data of seed 004 (eyalabraham/docker-services-demo, `mysql/catalog_demo.csv` and
 * `mysql/patrons_demo.csv`), transcribed by hand: the seed's 20 Project Gutenberg books, 2 copies each, and its 6
 * patrons. `seedId` is the row id the seed's clients use (`/catdb/{id}`, `patron_id`); the patron's `libraryId` is
 * the seed's `patronNum` (log in with first name, last name and library ID, as in the seed).
 */

/** Copies of every seed book (the seed's `count` column). */
export const SEED_COPIES = 2;

const book = (seedId: number, gutenbergId: number, title: string, author: string): Book => ({
  id: `gutenberg-${gutenbergId}`,
  title,
  author,
  copies: SEED_COPIES,
  coverUrl: `https://www.gutenberg.org/cache/epub/${gutenbergId}/pg${gutenbergId}.cover.medium.jpg`,
  seedId,
});

/** The seed's catalog (`catalog_demo.csv`), in its row order. Authors as the seed has them ("Last, First"). */
export const SEED_BOOKS: readonly Book[] = Object.freeze([
  book(1, 60669, 'Around the Wicket Gate', 'Spurgeon, C. H.'),
  book(2, 60659, 'Wild Kindred', 'Thompson, Jean M.'),
  book(3, 60582, 'The Pure Observers', 'Rogers, B. J.'),
  book(4, 59306, 'Homer: The Iliad', 'Collins, W. Lucas'),
  book(5, 60226, 'Ships & Ways of Other Days', 'Chatterton, E. Keble'),
  book(6, 59873, 'The Sword of the King', 'MacDonald, Ronald'),
  book(7, 59484, "St. Augustine, Florida's Colonial Capital", 'Van Campen, J. T.'),
  book(8, 59104, 'The Dance', 'Pavlova, Anna'),
  book(9, 58956, 'The Woman and the Car', 'Levitt, Dorothy'),
  book(10, 54585, 'Mariner Mission to Venus', 'Jet Propulsion Laboratory'),
  book(11, 45269, 'Inventions of the Great War', 'Bond, A. Russell'),
  book(12, 32677, 'The Invention of the Sewing Machine', 'Cooper, Grace Rogers'),
  book(13, 32482, 'The Introduction of Self-Registering Meteorological Instruments', 'Multhauf, Robert P.'),
  book(14, 2481, 'The Civilization of Illiteracy', 'Nadin, Mihai'),
  book(15, 20727, 'The Cosmic Computer', 'Piper, H. Beam'),
  book(16, 54360, 'The Silicon Jungle', 'Rothman, David H.'),
  book(17, 52052, 'The Puzzle King', 'Scott, John'),
  book(18, 55626, 'Science in Short Chapters', 'Williams, W. Mattieu'),
  book(19, 54976, 'The Molecular Tactics of a Crystal', 'William, Baron; Kelvin, Thomson'),
  book(20, 36775, 'Humorous Readings and Recitations, in Prose and Verse', 'Wagner, Leopold'),
]);

const patron = (seedId: number, firstName: string, lastName: string, libraryId: string): Patron => ({
  libraryId,
  firstName,
  lastName,
  role: 'patron',
  seedId,
});

/** The seed's patrons (`patrons_demo.csv`; its role `user` is our `patron`). */
export const SEED_PATRONS: readonly Patron[] = Object.freeze([
  patron(1, 'Pete', 'Dymond', 'BUFFALOBILL1'),
  patron(2, 'Laine', 'Scheidegger', 'DEADBEEF2222'),
  patron(3, 'Reid', 'Koffler', 'BUMBLEBEE333'),
  patron(4, 'Wilfred', 'Hatter', 'SKYWALKER444'),
  patron(5, 'Lorelei', 'Cowher', 'HANSOLO55555'),
  patron(6, 'Anastacia', 'Coram', 'DARTHVADER66'),
]);

import type { Book, Patron } from './catalog.js';

const cover = (gutenbergId: number) =>
  `https://www.gutenberg.org/cache/epub/${gutenbergId}/pg${gutenbergId}.cover.medium.jpg`;

const book = (id: string, title: string, author: string, gutenbergId: number): Book => ({
  id,
  title,
  author,
  copies: DEMO_COPIES,
  coverUrl: cover(gutenbergId),
});

/** Copies of every demo book. */
export const DEMO_COPIES = 2;

/** About twenty public-domain books (Project Gutenberg covers), two copies each. */
export const DEMO_BOOKS: readonly Book[] = Object.freeze([
  book('pride-and-prejudice', 'Pride and Prejudice', 'Jane Austen', 1342),
  book('emma', 'Emma', 'Jane Austen', 158),
  book('sense-and-sensibility', 'Sense and Sensibility', 'Jane Austen', 161),
  book('moby-dick', 'Moby Dick; Or, The Whale', 'Herman Melville', 2701),
  book('frankenstein', 'Frankenstein; Or, The Modern Prometheus', 'Mary Wollstonecraft Shelley', 84),
  book('dracula', 'Dracula', 'Bram Stoker', 345),
  book('alice-in-wonderland', "Alice's Adventures in Wonderland", 'Lewis Carroll', 11),
  book('through-the-looking-glass', 'Through the Looking-Glass', 'Lewis Carroll', 12),
  book('great-expectations', 'Great Expectations', 'Charles Dickens', 1400),
  book('a-tale-of-two-cities', 'A Tale of Two Cities', 'Charles Dickens', 98),
  book('a-christmas-carol', 'A Christmas Carol', 'Charles Dickens', 46),
  book('sherlock-holmes', 'The Adventures of Sherlock Holmes', 'Arthur Conan Doyle', 1661),
  book('hound-of-the-baskervilles', 'The Hound of the Baskervilles', 'Arthur Conan Doyle', 2852),
  book('war-and-peace', 'War and Peace', 'Leo Tolstoy', 2600),
  book('crime-and-punishment', 'Crime and Punishment', 'Fyodor Dostoyevsky', 2554),
  book('the-odyssey', 'The Odyssey', 'Homer', 1727),
  book('don-quixote', 'Don Quixote', 'Miguel de Cervantes Saavedra', 996),
  book('jane-eyre', 'Jane Eyre: An Autobiography', 'Charlotte Brontë', 1260),
  book('wuthering-heights', 'Wuthering Heights', 'Emily Brontë', 768),
  book('the-time-machine', 'The Time Machine', 'H. G. Wells', 35),
  book('treasure-island', 'Treasure Island', 'Robert Louis Stevenson', 120),
]);

/** Demo patrons (the seed's canned users); log in with first name, last name and library ID. */
export const DEMO_PATRONS: readonly Patron[] = Object.freeze([
  { libraryId: 'L-1001', firstName: 'Ada', lastName: 'Lovelace', role: 'patron' },
  { libraryId: 'L-1002', firstName: 'Alan', lastName: 'Turing', role: 'patron' },
  { libraryId: 'L-1003', firstName: 'Grace', lastName: 'Hopper', role: 'patron' },
  { libraryId: 'L-1004', firstName: 'Katherine', lastName: 'Johnson', role: 'patron' },
  { libraryId: 'L-1005', firstName: 'Edsger', lastName: 'Dijkstra', role: 'patron' },
  { libraryId: 'L-1006', firstName: 'Margaret', lastName: 'Hamilton', role: 'patron' },
  { libraryId: 'LIB-0001', firstName: 'Melvil', lastName: 'Dewey', role: 'librarian' },
]);

using System.Collections.Generic;
using System.Runtime.CompilerServices;
using System.Threading;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Text;

namespace WebSocketHandoff.Analyzers.Flow
{
    /// <summary>
    /// Where a file's text holds any of a fixed set of words (ordinal, case-sensitive), found by one scan of the file and
    /// kept as long as its syntax tree: the cheap test a rule runs before binding anything (<see cref="TextPrecheck"/>
    /// for the flow rules, the reflection rule's per-code-block gate).
    /// </summary>
    internal sealed class TextNeedles
    {
        private readonly string[] _needles;
        private readonly char[] _firstChars;
        private readonly int _overlap;
        private readonly ConditionalWeakTable<SyntaxTree, Positions> _trees = new ConditionalWeakTable<SyntaxTree, Positions>();

        public TextNeedles(params string[] needles)
        {
            _needles = needles;
            var firsts = new List<char>();
            foreach (var needle in needles)
            {
                if (!firsts.Contains(needle[0]))
                {
                    firsts.Add(needle[0]);
                }

                _overlap = System.Math.Max(_overlap, needle.Length - 1);
            }

            _firstChars = firsts.ToArray();
        }

        /// <summary>The sorted positions of every word in the file, and whether its text has a Unicode escape.</summary>
        public Positions Of(SyntaxTree tree, CancellationToken cancellationToken)
        {
            if (!_trees.TryGetValue(tree, out var positions))
            {
                positions = _trees.GetValue(tree, t => Find(t.GetText(cancellationToken)));
            }

            return positions;
        }

        /// <summary>
        /// Is there a word inside <paramref name="span"/>, or may an identifier there spell one with a Unicode escape
        /// (<c>Get\u0046ield</c>, whose text holds none)?
        /// </summary>
        public bool MayContain(SyntaxTree tree, TextSpan span, CancellationToken cancellationToken)
        {
            var positions = Of(tree, cancellationToken);
            return positions.HasEscape || positions.AnyIn(span);
        }

        private Positions Find(SourceText text)
        {
            const int ChunkSize = 4096;
            var found = new List<int>();
            var hasEscape = false;
            var buffer = new char[ChunkSize + _overlap];
            var carried = 0;
            for (var position = 0; position < text.Length;)
            {
                var count = System.Math.Min(ChunkSize, text.Length - position);
                text.CopyTo(position, buffer, carried, count);
                var length = carried + count;
                var bufferStart = position - carried;
                foreach (var first in _firstChars)
                {
                    AddMatches(buffer, length, first, bufferStart, carried, found);
                }

                hasEscape = hasEscape || HasEscapeIn(buffer, length);
                position += count;
                carried = System.Math.Min(_overlap, length);
                System.Array.Copy(buffer, length - carried, buffer, 0, carried);
            }

            found.Sort();
            return new Positions(found.ToArray(), hasEscape);
        }

        private void AddMatches(char[] buffer, int length, char first, int bufferStart, int carried, List<int> found)
        {
            // Array.IndexOf finds the first character (vectorized on .NET Core); the words starting with it are compared by hand.
            for (var i = System.Array.IndexOf(buffer, first, 0, length); i >= 0; i = i + 1 < length ? System.Array.IndexOf(buffer, first, i + 1, length - i - 1) : -1)
            {
                foreach (var needle in _needles)
                {
                    // A match that lies wholly in the carried part was found in the previous chunk.
                    if (needle[0] != first || i + needle.Length > length || i + needle.Length <= carried)
                    {
                        continue;
                    }

                    var j = 1;
                    while (j < needle.Length && buffer[i + j] == needle[j])
                    {
                        j++;
                    }

                    if (j == needle.Length)
                    {
                        found.Add(bufferStart + i);
                        break;
                    }
                }
            }
        }

        private static bool HasEscapeIn(char[] buffer, int length)
        {
            for (var i = System.Array.IndexOf(buffer, '\\', 0, length); i >= 0 && i < length - 1; i = System.Array.IndexOf(buffer, '\\', i + 1, length - i - 1))
            {
                if (buffer[i + 1] == 'u' || buffer[i + 1] == 'U')
                {
                    return true;
                }
            }

            return false;
        }

        internal sealed class Positions
        {
            public Positions(int[] sorted, bool hasEscape)
            {
                Sorted = sorted;
                HasEscape = hasEscape;
            }

            /// <summary>Where a word starts, in order (one entry per place, whichever word matched there).</summary>
            public int[] Sorted { get; }

            /// <summary>The text has <c>\u</c> or <c>\U</c>: an identifier may spell a word its text does not hold.</summary>
            public bool HasEscape { get; }

            /// <summary>The index of the first position at or after <paramref name="start"/>.</summary>
            public int FirstAtOrAfter(int start)
            {
                var low = 0;
                var high = Sorted.Length;
                while (low < high)
                {
                    var middle = (low + high) / 2;
                    if (Sorted[middle] < start)
                    {
                        low = middle + 1;
                    }
                    else
                    {
                        high = middle;
                    }
                }

                return low;
            }

            public bool AnyIn(TextSpan span)
            {
                var i = FirstAtOrAfter(span.Start);
                return i < Sorted.Length && Sorted[i] < span.End;
            }
        }
    }
}

using System.Collections.Generic;
using System.Runtime.CompilerServices;
using System.Threading;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.Text;

namespace WebSocketHandoff.Analyzers.Flow
{
    /// <summary>
    /// The cheap test that runs before any operation tree or control-flow graph is built: a handoff needs the text
    /// <c>CreateFromStream</c> or <c>Detach</c> in the file, and then in the member. Everything else costs one scan of
    /// the file's characters per compilation.
    /// </summary>
    internal sealed class TextPrecheck
    {
        private static readonly string[] Needles = { "CreateFromStream", "Detach" };

        /// <summary>Where each file's text holds a needle, found by one scan of the file per compilation.</summary>
        private static readonly ConditionalWeakTable<SyntaxTree, TreeNeedles> s_trees = new ConditionalWeakTable<SyntaxTree, TreeNeedles>();

        public bool TypeMayHandoff(INamedTypeSymbol type, CancellationToken cancellationToken)
        {
            foreach (var reference in type.DeclaringSyntaxReferences)
            {
                if (NeedlesOf(reference.SyntaxTree, cancellationToken).Positions.Length > 0)
                {
                    return true;
                }
            }

            return false;
        }

        /// <summary>Does the member's syntax name a creation or a detach?</summary>
        public static bool MemberMayHandoff(SyntaxNode node)
        {
            var needles = NeedlesOf(node.SyntaxTree, CancellationToken.None);
            if (!needles.HasEscape)
            {
                // No Unicode escape (\u, \U) in the file: an identifier's text holds its name, so only the tokens at the
                // needles' places can be one. The positions are sorted: find the first inside the member.
                var positions = needles.Positions;
                var span = node.Span;
                var low = 0;
                var high = positions.Length;
                while (low < high)
                {
                    var middle = (low + high) / 2;
                    if (positions[middle] < span.Start)
                    {
                        low = middle + 1;
                    }
                    else
                    {
                        high = middle;
                    }
                }

                for (var i = low; i < positions.Length && positions[i] < span.End; i++)
                {
                    if (IsHandoffName(node.FindToken(positions[i])))
                    {
                        return true;
                    }
                }

                return false;
            }

            foreach (var token in node.DescendantTokens())
            {
                if (IsHandoffName(token))
                {
                    return true;
                }
            }

            return false;
        }

        private static TreeNeedles NeedlesOf(SyntaxTree tree, CancellationToken cancellationToken)
        {
            if (!s_trees.TryGetValue(tree, out var needles))
            {
                needles = s_trees.GetValue(tree, t => TreeNeedles.Find(t.GetText(cancellationToken)));
            }

            return needles;
        }

        private static bool IsHandoffName(SyntaxToken token)
        {
            if (!token.IsKind(SyntaxKind.IdentifierToken))
            {
                return false;
            }

            var text = token.ValueText;
            return text == "CreateFromStream" || IsDetachName(text);
        }

        /// <summary>The names of the HandoffWebSocket methods that detach: <c>DetachAsync</c>, <c>SendAndDetachAsync</c>, <c>Detach</c>.</summary>
        internal static bool IsDetachName(string name) => name == "DetachAsync" || name == "SendAndDetachAsync" || name == "Detach";

        /// <summary>Does the member's syntax mention one of these identifiers (the names of transport fields)?</summary>
        public static bool MemberMentions(SyntaxNode node, System.Collections.Generic.ICollection<string> names)
        {
            foreach (var token in node.DescendantTokens())
            {
                if (token.IsKind(SyntaxKind.IdentifierToken) && names.Contains(token.ValueText))
                {
                    return true;
                }
            }

            return false;
        }

        /// <summary>The sorted positions of every needle in a file's text, and whether the text has a Unicode escape.</summary>
        private sealed class TreeNeedles
        {
            private TreeNeedles(int[] positions, bool hasEscape)
            {
                Positions = positions;
                HasEscape = hasEscape;
            }

            public int[] Positions { get; }

            public bool HasEscape { get; }

            public static TreeNeedles Find(SourceText text)
            {
                const int ChunkSize = 4096;
                var overlap = 0;
                foreach (var needle in Needles)
                {
                    overlap = System.Math.Max(overlap, needle.Length - 1);
                }

                var found = new List<int>();
                var hasEscape = false;
                var buffer = new char[ChunkSize + overlap];
                var carried = 0;
                for (var position = 0; position < text.Length;)
                {
                    var count = System.Math.Min(ChunkSize, text.Length - position);
                    text.CopyTo(position, buffer, carried, count);
                    var length = carried + count;
                    var bufferStart = position - carried;
                    foreach (var needle in Needles)
                    {
                        // A match that lies wholly in the carried part was found in the previous chunk.
                        AddMatches(buffer, length, needle, bufferStart, carried - needle.Length + 1, found);
                    }

                    hasEscape = hasEscape || HasEscapeIn(buffer, length);
                    position += count;
                    carried = System.Math.Min(overlap, length);
                    System.Array.Copy(buffer, length - carried, buffer, 0, carried);
                }

                found.Sort();
                return new TreeNeedles(found.ToArray(), hasEscape);
            }

            private static void AddMatches(char[] buffer, int length, string needle, int bufferStart, int firstNew, List<int> found)
            {
                // Array.IndexOf finds the first character (vectorized on .NET Core); the rest is compared by hand.
                var first = needle[0];
                var last = length - needle.Length;
                for (var i = System.Math.Max(0, firstNew); i <= last; i++)
                {
                    i = System.Array.IndexOf(buffer, first, i, last - i + 1);
                    if (i < 0)
                    {
                        return;
                    }

                    var j = 1;
                    while (j < needle.Length && buffer[i + j] == needle[j])
                    {
                        j++;
                    }

                    if (j == needle.Length)
                    {
                        found.Add(bufferStart + i);
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
        }
    }
}

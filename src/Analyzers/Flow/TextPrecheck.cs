using System.Collections.Concurrent;
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

        /// <summary>What the text of a member that names a creation or a detach holds (see <see cref="MemberMayHandoff"/>).</summary>
        private static readonly string[] MemberNeedles = { "CreateFromStream", "Detach" };

        private readonly ConcurrentDictionary<SyntaxTree, bool> _trees = new ConcurrentDictionary<SyntaxTree, bool>();

        public bool TypeMayHandoff(INamedTypeSymbol type, CancellationToken cancellationToken)
        {
            foreach (var reference in type.DeclaringSyntaxReferences)
            {
                var tree = reference.SyntaxTree;
                if (_trees.GetOrAdd(tree, t => TextContains(t.GetText(cancellationToken))))
                {
                    return true;
                }
            }

            return false;
        }

        /// <summary>Does the member's syntax name a creation or a detach?</summary>
        public static bool MemberMayHandoff(SyntaxNode node)
        {
            // Walking the tokens realizes the member's red tree; its text is already in memory. Every identifier accepted
            // holds "CreateFromStream" or "Detach" in its source text, unless spelled with a Unicode escape (\u, \U).
            var text = node.SyntaxTree.GetText().ToString(node.Span);
            if (text.IndexOf("\\u", System.StringComparison.Ordinal) < 0 && text.IndexOf("\\U", System.StringComparison.Ordinal) < 0)
            {
                // No escape: such an identifier's text holds its name, so only the tokens at the needles' places can be one.
                foreach (var needle in MemberNeedles)
                {
                    for (var i = text.IndexOf(needle, System.StringComparison.Ordinal); i >= 0; i = text.IndexOf(needle, i + 1, System.StringComparison.Ordinal))
                    {
                        if (IsHandoffName(node.FindToken(node.SpanStart + i)))
                        {
                            return true;
                        }
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

        private static bool IsHandoffName(SyntaxToken token)
        {
            if (!token.IsKind(SyntaxKind.IdentifierToken))
            {
                return false;
            }

            var text = token.ValueText;
            return text == "CreateFromStream" || text == "DetachAsync" || text == "SendAndDetachAsync" || text == "Detach";
        }

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

        private static bool TextContains(SourceText text)
        {
            const int ChunkSize = 4096;
            var overlap = 0;
            foreach (var needle in Needles)
            {
                overlap = System.Math.Max(overlap, needle.Length - 1);
            }

            var buffer = new char[ChunkSize + overlap];
            var carried = 0;
            for (var position = 0; position < text.Length;)
            {
                var count = System.Math.Min(ChunkSize, text.Length - position);
                text.CopyTo(position, buffer, carried, count);
                var length = carried + count;
                foreach (var needle in Needles)
                {
                    if (IndexOf(buffer, length, needle))
                    {
                        return true;
                    }
                }

                position += count;
                carried = System.Math.Min(overlap, length);
                System.Array.Copy(buffer, length - carried, buffer, 0, carried);
            }

            return false;
        }

        private static bool IndexOf(char[] buffer, int length, string needle)
        {
            // Array.IndexOf finds the first character (vectorized on .NET Core); the rest is compared by hand.
            var first = needle[0];
            var last = length - needle.Length;
            for (var i = 0; i <= last; i++)
            {
                i = System.Array.IndexOf(buffer, first, i, last - i + 1);
                if (i < 0)
                {
                    return false;
                }

                var j = 1;
                while (j < needle.Length && buffer[i + j] == needle[j])
                {
                    j++;
                }

                if (j == needle.Length)
                {
                    return true;
                }
            }

            return false;
        }
    }
}

using System.Threading;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;

namespace WebSocketHandoff.Analyzers.Flow
{
    /// <summary>
    /// The cheap test that runs before any operation tree or control-flow graph is built: a handoff needs the text
    /// <c>CreateFromStream</c> or <c>Detach</c> in the file, and then in the member. Everything else costs one scan of
    /// the file's characters per compilation.
    /// </summary>
    internal sealed class TextPrecheck
    {
        /// <summary>Where each file's text holds a needle, found by one scan of the file per compilation.</summary>
        private static readonly TextNeedles s_needles = new TextNeedles("CreateFromStream", "Detach");

        public bool TypeMayHandoff(INamedTypeSymbol type, CancellationToken cancellationToken)
        {
            foreach (var reference in type.DeclaringSyntaxReferences)
            {
                if (s_needles.Of(reference.SyntaxTree, cancellationToken).Sorted.Length > 0)
                {
                    return true;
                }
            }

            return false;
        }

        /// <summary>Does the member's syntax name a creation or a detach?</summary>
        public static bool MemberMayHandoff(SyntaxNode node)
        {
            var needles = s_needles.Of(node.SyntaxTree, CancellationToken.None);
            if (!needles.HasEscape)
            {
                // No Unicode escape (\u, \U) in the file: an identifier's text holds its name, so only the tokens at the
                // needles' places can be one. The positions are sorted: start from the first inside the member.
                var positions = needles.Sorted;
                var span = node.Span;
                for (var i = needles.FirstAtOrAfter(span.Start); i < positions.Length && positions[i] < span.End; i++)
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
    }
}

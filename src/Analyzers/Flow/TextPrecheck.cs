using System.Collections.Generic;
using System.Runtime.CompilerServices;
using System.Threading;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;

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

        /// <summary>
        /// The names of the methods declared in the compilation's source whose declaration spells a detach: only a call of
        /// one of these can count as a helper that detaches the HandoffWebSocket handed to it (the analysis reads the
        /// callee's declaration for a detach of the parameter). Found from the same per-file needle positions, once per
        /// compilation.
        /// </summary>
        public static HashSet<string> DetachingMethodNames(Compilation compilation, CancellationToken cancellationToken)
        {
            if (s_detachingMethods.TryGetValue(compilation, out var names))
            {
                return names;
            }

            names = new HashSet<string>();
            foreach (var tree in compilation.SyntaxTrees)
            {
                var needles = s_needles.Of(tree, cancellationToken);
                if (needles.Sorted.Length == 0 && !needles.HasEscape)
                {
                    continue;
                }

                var root = tree.GetRoot(cancellationToken);
                if (needles.HasEscape)
                {
                    foreach (var token in root.DescendantTokens())
                    {
                        AddDeclaringMethods(token, names);
                    }

                    continue;
                }

                foreach (var position in needles.Sorted)
                {
                    AddDeclaringMethods(root.FindToken(position), names);
                }
            }

            return s_detachingMethods.GetValue(compilation, _ => names);
        }

        private static readonly ConditionalWeakTable<Compilation, HashSet<string>> s_detachingMethods =
            new ConditionalWeakTable<Compilation, HashSet<string>>();

        private static void AddDeclaringMethods(SyntaxToken token, HashSet<string> names)
        {
            if (!token.IsKind(SyntaxKind.IdentifierToken) || !IsDetachName(token.ValueText))
            {
                return;
            }

            for (var node = token.Parent; node != null; node = node.Parent)
            {
                switch (node)
                {
                    case MethodDeclarationSyntax method:
                        names.Add(method.Identifier.ValueText);
                        break;
                    case LocalFunctionStatementSyntax local:
                        names.Add(local.Identifier.ValueText);
                        break;
                }
            }
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
    }
}

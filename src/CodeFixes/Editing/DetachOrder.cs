using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace WebSocketHandoff.CodeFixes.Editing
{
    /// <summary>
    /// Syntactic answers to "does this code run only after the detach the fix inserts before a statement?". The plan lists
    /// closes that follow a raw use or a detach on <i>some</i> path; only the ones that follow the inserted detach on
    /// <i>every</i> path may be dropped, the others must keep running where no detach happened.
    /// </summary>
    internal static class DetachOrder
    {
        /// <summary>
        /// Whether <paramref name="node"/> runs only after a statement inserted before <paramref name="insertionPoint"/> ran,
        /// on every path: it sits in the insertion point or in a later statement of the same statement list, not in a local
        /// function (callable from before the insertion point), with no label at or after the insertion point that a
        /// <c>goto</c> could enter the list by. A lambda created after the insertion point runs after it too.
        /// When the insertion point is an embedded statement (it gets wrapped in a block with the detach), only the
        /// statement itself qualifies.
        /// </summary>
        public static bool AlwaysAfter(StatementSyntax insertionPoint, SyntaxNode node)
        {
            if (!FixEditing.IsInStatementList(insertionPoint))
            {
                return insertionPoint.Span.Contains(node.Span) && !InLocalFunctionBelow(node, insertionPoint.Parent);
            }

            var anchor = Anchor(insertionPoint);
            var container = anchor.Parent!;
            var holder = node.AncestorsAndSelf().FirstOrDefault(n => n.Parent == container);
            if (holder is null
                || !(holder is StatementSyntax || holder is GlobalStatementSyntax)
                || holder.SpanStart < anchor.SpanStart
                || InLocalFunctionBelow(node, container))
            {
                return false;
            }

            return !container.ChildNodes()
                .Where(s => s.SpanStart >= anchor.SpanStart && s.SpanStart <= holder.SpanStart)
                .Any(IsLabeled);
        }

        /// <summary>
        /// Whether a <c>goto</c> could skip a statement inserted before <paramref name="insertionPoint"/>: a label on the
        /// insertion point or on a later statement of its list (labels inside nested blocks cannot be reached from outside them).
        /// </summary>
        public static bool CanBeSkippedByGoto(StatementSyntax insertionPoint)
        {
            if (!FixEditing.IsInStatementList(insertionPoint))
            {
                return false;
            }

            var anchor = Anchor(insertionPoint);
            return anchor.Parent!.ChildNodes().Where(s => s.SpanStart >= anchor.SpanStart).Any(IsLabeled);
        }

        private static SyntaxNode Anchor(StatementSyntax insertionPoint) =>
            insertionPoint.Parent is GlobalStatementSyntax global ? global : insertionPoint;

        private static bool IsLabeled(SyntaxNode statement) =>
            statement is LabeledStatementSyntax || statement is GlobalStatementSyntax { Statement: LabeledStatementSyntax };

        private static bool InLocalFunctionBelow(SyntaxNode node, SyntaxNode? container)
        {
            for (var current = node.Parent; current != null && current != container; current = current.Parent)
            {
                if (current is LocalFunctionStatementSyntax)
                {
                    return true;
                }
            }

            return false;
        }
    }
}

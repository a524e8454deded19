using System.Collections.Immutable;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Text;
using WebSocketHandoff.Analyzers;

namespace WebSocketHandoff.CodeFixes.Editing
{
    /// <summary>
    /// The handoff plan a WSH001, WSH003 or WSH002-on-a-BCL-WebSocket diagnostic carries (see the remarks on
    /// <see cref="Descriptors"/>), read back from its additional locations and properties. Every diagnostic about one
    /// creation carries the same plan, so the creation's span identifies it.
    /// </summary>
    internal sealed class HandoffPlan
    {
        private HandoffPlan(SyntaxTree tree, TextSpan creation, TextSpan detachBefore, ImmutableArray<TextSpan> roots, ImmutableArray<TextSpan> closes, bool canAwait)
        {
            Tree = tree;
            Creation = creation;
            DetachBefore = detachBefore;
            Roots = roots;
            Closes = closes;
            CanAwait = canAwait;
        }

        public SyntaxTree Tree { get; }

        /// <summary>The <c>CreateFromStream</c> invocation.</summary>
        public TextSpan Creation { get; }

        /// <summary>The statement before which the detach goes.</summary>
        public TextSpan DetachBefore { get; }

        /// <summary>The root expressions the detached stream replaces.</summary>
        public ImmutableArray<TextSpan> Roots { get; }

        /// <summary>The CloseAsync/CloseOutputAsync invocations to drop.</summary>
        public ImmutableArray<TextSpan> Closes { get; }

        /// <summary>Whether the code around the detach can await (DetachAsync) or not (Detach()).</summary>
        public bool CanAwait { get; }

        /// <summary>Whether the diagnostic carries a plan at all (a BCL creation), fixable or not.</summary>
        public static bool IsAboutBclCreation(Diagnostic diagnostic) =>
            diagnostic.Properties.TryGetValue(Descriptors.PropertyCreationKind, out var kind) && kind == Descriptors.CreationKindBcl;

        /// <summary>
        /// Reads the plan, or returns null when the diagnostic has none, says it is not fixable, or does not have the
        /// shape the contract promises (a fixer offers nothing rather than guess).
        /// </summary>
        public static HandoffPlan? TryRead(Diagnostic diagnostic)
        {
            var properties = diagnostic.Properties;
            if (!IsAboutBclCreation(diagnostic)
                || !properties.TryGetValue(Descriptors.PropertyFixable, out var fixable) || fixable != "true"
                || !TryGetCount(properties, Descriptors.PropertyRootCount, out var rootCount)
                || !TryGetCount(properties, Descriptors.PropertyCloseCount, out var closeCount))
            {
                return null;
            }

            var locations = diagnostic.AdditionalLocations;
            if (rootCount == 0 || locations.Count != 2 + rootCount + closeCount)
            {
                return null;
            }

            var tree = locations[0].SourceTree;
            if (tree is null)
            {
                return null;
            }

            foreach (var location in locations)
            {
                if (!location.IsInSource || location.SourceTree != tree)
                {
                    return null;
                }
            }

            var roots = ImmutableArray.CreateBuilder<TextSpan>(rootCount);
            for (var i = 0; i < rootCount; i++)
            {
                roots.Add(locations[2 + i].SourceSpan);
            }

            var closes = ImmutableArray.CreateBuilder<TextSpan>(closeCount);
            for (var i = 0; i < closeCount; i++)
            {
                closes.Add(locations[2 + rootCount + i].SourceSpan);
            }

            var canAwait = !properties.TryGetValue(Descriptors.PropertyCanAwait, out var canAwaitText) || canAwaitText != "false";
            return new HandoffPlan(tree, locations[0].SourceSpan, locations[1].SourceSpan, roots.MoveToImmutable(), closes.MoveToImmutable(), canAwait);
        }

        private static bool TryGetCount(ImmutableDictionary<string, string?> properties, string name, out int count)
        {
            count = 0;
            return properties.TryGetValue(name, out var text)
                && int.TryParse(text, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out count);
        }
    }
}

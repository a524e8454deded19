using System.Collections.Generic;
using System.Collections.Immutable;
using System.Composition;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeActions;
using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.Text;
using WebSocketHandoff.Analyzers;
using WebSocketHandoff.CodeFixes.Editing;

namespace WebSocketHandoff.CodeFixes.Fixers
{
    /// <summary>
    /// WSH002. On a BCL WebSocket the diagnostic carries a handoff plan, carried out as for WSH001 (the close calls after
    /// the detach are part of it). On a HandoffWebSocket the close call is removed where a detach precedes it on every path
    /// (or the WebSocket is never detached), and kept behind <c>if (!ws.IsDetached)</c> where it is also reached undetached.
    /// Both fixes share one equivalence key, so Fix All of WSH002 (and <c>dotnet format</c>, which fixes per rule) fixes both kinds.
    /// </summary>
    [ExportCodeFixProvider(LanguageNames.CSharp, Name = nameof(CloseDuringHandoffCodeFixProvider)), Shared]
    public sealed class CloseDuringHandoffCodeFixProvider : CodeFixProvider
    {
        /// <summary>The equivalence key of both WSH002 fixes.</summary>
        internal const string EquivalenceKey = "WebSocketHandoff.FixCloseDuringHandoff";

        internal const string RemoveCloseTitle = "Remove the close call after the detach";

        internal const string GuardCloseTitle = "Close only while the WebSocket is not detached";

        /// <inheritdoc />
        public override ImmutableArray<string> FixableDiagnosticIds { get; } = ImmutableArray.Create(RuleIdentifiers.CloseDuringHandoff);

        /// <inheritdoc />
        public override FixAllProvider GetFixAllProvider() => DocumentFixAll.Create(EquivalenceKey, FixAsync);

        /// <inheritdoc />
        public override async Task RegisterCodeFixesAsync(CodeFixContext context)
        {
            var root = await context.Document.GetSyntaxRootAsync(context.CancellationToken).ConfigureAwait(false);
            var model = await context.Document.GetSemanticModelAsync(context.CancellationToken).ConfigureAwait(false);
            if (root is null || model is null || FixEditing.GetHandoffWebSocket(model.Compilation) is null)
            {
                return;
            }

            foreach (var diagnostic in context.Diagnostics)
            {
                string title;
                if (HandoffPlan.IsAboutBclCreation(diagnostic))
                {
                    var plan = HandoffPlan.TryRead(diagnostic);
                    if (plan is null || !HandoffRewriter.CanApply(root, model, plan, context.CancellationToken))
                    {
                        continue;
                    }

                    title = UseHandoffWebSocketCodeFixProvider.Title;
                }
                else if (IsHandoffClose(diagnostic)
                    && diagnostic.Location.SourceTree == root.SyntaxTree
                    && HandoffRewriter.GetHandoffCloseFix(root, model, diagnostic.Location.SourceSpan, context.CancellationToken) is bool drop)
                {
                    title = drop ? RemoveCloseTitle : GuardCloseTitle;
                }
                else
                {
                    continue;
                }

                context.RegisterCodeFix(
                    CodeAction.Create(title, cancellationToken => FixAsync(context.Document, ImmutableArray.Create(diagnostic), cancellationToken), EquivalenceKey),
                    diagnostic);
            }
        }

        private static Task<Document> FixAsync(Document document, ImmutableArray<Diagnostic> diagnostics, CancellationToken cancellationToken)
        {
            var plans = new List<HandoffPlan>();
            var closes = new List<TextSpan>();
            foreach (var diagnostic in diagnostics)
            {
                if (HandoffPlan.IsAboutBclCreation(diagnostic))
                {
                    if (HandoffPlan.TryRead(diagnostic) is HandoffPlan plan)
                    {
                        plans.Add(plan);
                    }
                }
                else if (IsHandoffClose(diagnostic))
                {
                    closes.Add(diagnostic.Location.SourceSpan);
                }
            }

            return HandoffRewriter.ApplyAsync(document, plans, closes, cancellationToken);
        }

        /// <summary>A CloseAsync/CloseOutputAsync on a HandoffWebSocket (Dispose/Abort after a detach are harmless and not reported).</summary>
        private static bool IsHandoffClose(Diagnostic diagnostic) =>
            diagnostic.Properties.TryGetValue(Descriptors.PropertyCreationKind, out var kind) && kind == Descriptors.CreationKindHandoff
            && (!diagnostic.Properties.TryGetValue(Descriptors.PropertyCloseKind, out var closeKind) || closeKind == "Close")
            && diagnostic.Location.IsInSource;
    }
}

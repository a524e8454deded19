using System.Collections.Immutable;
using System.Composition;
using System.Linq;
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
    /// WSH001 and WSH003: carries out the diagnostic's handoff plan — the creation becomes
    /// <c>HandoffWebSocket.CreateFromStream</c>, the stream is detached before the first raw use, the raw uses go to the
    /// detached stream and the close calls after it are dropped.
    /// </summary>
    [ExportCodeFixProvider(LanguageNames.CSharp, Name = nameof(UseHandoffWebSocketCodeFixProvider)), Shared]
    public sealed class UseHandoffWebSocketCodeFixProvider : CodeFixProvider
    {
        /// <summary>The equivalence key of the handoff rewrite, the same for every diagnostic it fixes.</summary>
        internal const string EquivalenceKey = "WebSocketHandoff.UseHandoffWebSocket";

        internal const string Title = "Use HandoffWebSocket and detach before the raw use";

        /// <inheritdoc />
        public override ImmutableArray<string> FixableDiagnosticIds { get; } =
            ImmutableArray.Create(RuleIdentifiers.RawTransportUse, RuleIdentifiers.KeepAliveOnHandoff);

        /// <inheritdoc />
        public override FixAllProvider GetFixAllProvider() => DocumentFixAll.Create(
            EquivalenceKey,
            (document, diagnostics, cancellationToken) =>
                HandoffRewriter.ApplyAsync(document, diagnostics.Select(HandoffPlan.TryRead).OfType<HandoffPlan>(), Enumerable.Empty<TextSpan>(), cancellationToken));

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
                var plan = HandoffPlan.TryRead(diagnostic);
                if (plan is null || !HandoffRewriter.CanApply(root, model, plan, context.CancellationToken))
                {
                    continue;
                }

                context.RegisterCodeFix(
                    CodeAction.Create(
                        Title,
                        cancellationToken => HandoffRewriter.ApplyAsync(context.Document, new[] { plan }, Enumerable.Empty<TextSpan>(), cancellationToken),
                        EquivalenceKey),
                    diagnostic);
            }
        }
    }
}

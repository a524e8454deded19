using System.Collections.Generic;
using System.Collections.Immutable;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;
using WebSocketHandoff.Analyzers.Flow;

namespace WebSocketHandoff.Analyzers.Rules
{
    /// <summary>
    /// WSH005: <c>SendAsync</c>/<c>ReceiveAsync</c> on a HandoffWebSocket that may already be detached on that path
    /// (loop back-edges included). Reported on the call; AdditionalLocations[0] is the detach. Closing after a detach is WSH002's.
    /// </summary>
    [DiagnosticAnalyzer(LanguageNames.CSharp)]
    internal sealed class UseAfterDetachAnalyzer : HandoffAnalyzerBase
    {
        public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics { get; } =
            ImmutableArray.Create(Descriptors.UseAfterDetach);

        protected override void Report(HandoffAnalysis analysis, HandoffTypes types, SymbolAnalysisContext context)
        {
            var reported = new HashSet<SyntaxNode>();
            foreach (var detach in analysis.Detaches)
            {
                foreach (var use in detach.SendsAfter)
                {
                    if (reported.Add(use.Event.Syntax))
                    {
                        context.ReportDiagnostic(Diagnostic.Create(
                            Descriptors.UseAfterDetach,
                            use.Event.Syntax.GetLocation(),
                            new[] { detach.Detach.Syntax.GetLocation() },
                            Display(use.Event.Syntax)));
                    }
                }
            }
        }
    }
}

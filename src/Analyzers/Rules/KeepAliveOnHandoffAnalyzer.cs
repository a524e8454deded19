using System.Collections.Immutable;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;
using WebSocketHandoff.Analyzers.Flow;

namespace WebSocketHandoff.Analyzers.Rules
{
    /// <summary>
    /// WSH003: a BCL WebSocket whose keep-alive may be on, created over a transport that is also used raw after the
    /// creation. Reported on the creation, with its handoff plan.
    /// </summary>
    [DiagnosticAnalyzer(LanguageNames.CSharp)]
    internal sealed class KeepAliveOnHandoffAnalyzer : HandoffAnalyzerBase
    {
        public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics { get; } =
            ImmutableArray.Create(Descriptors.KeepAliveOnHandoff);

        protected override void Report(HandoffAnalysis analysis, HandoffTypes types, SymbolAnalysisContext context)
        {
            foreach (var creation in analysis.Creations)
            {
                if (creation.IsHandoff || creation.LiveRawUses.Count == 0 || !KeepAlive.MayBeOn(creation, types))
                {
                    continue;
                }

                var plan = HandoffPlan.For(creation);
                context.ReportDiagnostic(Diagnostic.Create(
                    Descriptors.KeepAliveOnHandoff,
                    creation.Creation.Syntax.GetLocation(),
                    plan.AdditionalLocations,
                    plan.Properties));
            }
        }
    }
}

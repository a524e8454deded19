using System.Collections.Generic;
using System.Collections.Immutable;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;
using WebSocketHandoff.Analyzers.Flow;

namespace WebSocketHandoff.Analyzers.Rules
{
    /// <summary>
    /// WSH001: a raw use of a WebSocket's transport (or of what the transport wraps) that can run after the creation
    /// with no detach of that WebSocket before it on that path. Reported on the raw use, with the creation's handoff plan.
    /// </summary>
    [DiagnosticAnalyzer(LanguageNames.CSharp)]
    internal sealed class RawTransportUseAnalyzer : HandoffAnalyzerBase
    {
        public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics { get; } =
            ImmutableArray.Create(Descriptors.RawTransportUse);

        protected override void Report(HandoffAnalysis analysis, HandoffTypes types, SymbolAnalysisContext context)
        {
            var reported = new HashSet<SyntaxNode>();
            foreach (var creation in analysis.Creations)
            {
                foreach (var use in creation.LiveRawUses)
                {
                    if (!reported.Add(use.Event.Syntax))
                    {
                        continue;
                    }

                    var plan = HandoffPlan.For(creation);
                    context.ReportDiagnostic(Diagnostic.Create(
                        Descriptors.RawTransportUse,
                        use.Event.Syntax.GetLocation(),
                        plan.AdditionalLocations,
                        plan.Properties,
                        Display(use.Event.Syntax)));
                }
            }
        }
    }
}

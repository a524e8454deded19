using System.Collections.Generic;
using System.Collections.Immutable;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;
using WebSocketHandoff.Analyzers.Flow;

namespace WebSocketHandoff.Analyzers.Rules
{
    /// <summary>
    /// WSH002: a WebSocket closed after a raw use of its transport or a detach on the same path —
    /// <c>CloseAsync</c>/<c>CloseOutputAsync</c> on any WebSocket; on a BCL WebSocket also <c>Dispose</c>, <c>Abort</c>
    /// and the end of a <c>using</c> while the raw use may still run (started and not awaited, or the transport
    /// outlives the method). Reported on the call, or on the <c>using</c> keyword.
    /// </summary>
    [DiagnosticAnalyzer(LanguageNames.CSharp)]
    internal sealed class CloseDuringHandoffAnalyzer : HandoffAnalyzerBase
    {
        public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics { get; } =
            ImmutableArray.Create(Descriptors.CloseDuringHandoff);

        protected override void Report(HandoffAnalysis analysis, HandoffTypes types, SymbolAnalysisContext context)
        {
            var reported = new HashSet<Location>();
            foreach (var creation in analysis.Creations)
            {
                foreach (var close in creation.Closes)
                {
                    if (!creation.IsReportedClose(close))
                    {
                        continue;
                    }

                    var (location, display) = LocationOf(close.Event);
                    if (!reported.Add(location))
                    {
                        continue;
                    }

                    if (creation.IsHandoff)
                    {
                        ReportHandoff(context, location, display, creation.Creation.Syntax.GetLocation(), close.Event.CloseKind!);
                        continue;
                    }

                    var plan = HandoffPlan.For(creation);
                    context.ReportDiagnostic(Diagnostic.Create(
                        Descriptors.CloseDuringHandoff,
                        location,
                        plan.AdditionalLocations,
                        plan.Properties.SetItem(Descriptors.PropertyCloseKind, close.Event.CloseKind),
                        display,
                        Consequence(close.Event.CloseKind!)));
                }
            }

            foreach (var detach in analysis.Detaches)
            {
                foreach (var close in detach.ClosesAfter)
                {
                    var (location, display) = LocationOf(close.Event);
                    if (reported.Add(location))
                    {
                        ReportHandoff(context, location, display, detach.Creation?.Creation.Syntax.GetLocation(), close.Event.CloseKind!);
                    }
                }
            }
        }

        private static void ReportHandoff(SymbolAnalysisContext context, Location location, string display, Location? creation, string closeKind)
        {
            var properties = ImmutableDictionary<string, string?>.Empty
                .Add(Descriptors.PropertyCreationKind, Descriptors.CreationKindHandoff)
                .Add(Descriptors.PropertyCloseKind, closeKind);
            context.ReportDiagnostic(Diagnostic.Create(
                Descriptors.CloseDuringHandoff,
                location,
                creation == null ? null : new[] { creation },
                properties,
                display,
                Consequence(closeKind)));
        }

        /// <summary>What the close does to the raw connection (SPEC §1.4), for the message.</summary>
        private static string Consequence(string closeKind) => closeKind == "Close"
            ? "it writes a Close frame into the raw stream"
            : "it disposes the transport under the raw use";

        private static (Location Location, string Display) LocationOf(FlowEvent close)
        {
            if (close.CloseKind == "Using")
            {
                var keyword = EventClassifier.UsingKeywordOf(close.Syntax);
                if (keyword != null)
                {
                    return (keyword.Value.GetLocation(), "using");
                }
            }

            return (close.Syntax.GetLocation(), Display(close.Syntax));
        }
    }
}

using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.Threading;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;

namespace Bench;

/// <summary>
/// The control for the analyzer benchmarks: an analyzer that registers the same actions as a real one (same kinds of
/// operations, syntax nodes, symbols; the same compilation-start shape) with callbacks that do nothing. The difference
/// between the compiler run through <see cref="CompilationWithAnalyzers"/> with the controls and with the real analyzers
/// is the analyzers' own work; what the controls cost over the bare compiler is the analyzer driver's price of being
/// subscribed to those events, which any build with any analyzer already pays.
/// </summary>
/// <remarks>
/// Actions registered inside an operation-block-start or code-block-start callback (which only exist once a block is
/// analyzed) are not replayed: the control registers the block-start action with an empty callback. That makes the
/// control slightly cheaper than the real subscription, so the measured analyzer cost errs on the high side.
/// </remarks>
// Not a shipped analyzer: a benchmark instrument handed straight to CompilationWithAnalyzers. It must not configure
// concurrency or generated code itself (it replays what the analyzer it mirrors does), and needs no release tracking.
#pragma warning disable RS1001, RS1025, RS1026, RS1036, RS1041, RS2008
public sealed class ControlAnalyzer : DiagnosticAnalyzer
{
    // Enabled by default and never reported: the driver skips analyzers whose every diagnostic is disabled.
    private static readonly DiagnosticDescriptor Never = new DiagnosticDescriptor(
        "CTRL001", "Control", "Never reported", "Benchmark", DiagnosticSeverity.Warning, isEnabledByDefault: true);

    private readonly Action<AnalysisContext> _replay;

    public ControlAnalyzer(string description, Action<AnalysisContext> replay)
    {
        Description = description;
        _replay = replay;
    }

    /// <summary>The actions this control registers.</summary>
    public string Description { get; }

    public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics => ImmutableArray.Create(Never);

    public override void Initialize(AnalysisContext context) => _replay(context);

    /// <summary>Runs <paramref name="analyzer"/>'s Initialize (and its compilation-start actions, on <paramref name="compilation"/>) against recording contexts.</summary>
    public static ControlAnalyzer Record(DiagnosticAnalyzer analyzer, Compilation compilation)
    {
        var recorder = new RecordingContext(compilation);
        analyzer.Initialize(recorder);
        Action<AnalysisContext>[] replays = recorder.Replays.ToArray();
        return new ControlAnalyzer(string.Join(", ", recorder.Names), context =>
        {
            foreach (Action<AnalysisContext> replay in replays)
            {
                replay(context);
            }
        });
    }

    private static string Kinds<T>(ImmutableArray<T> kinds) => "[" + string.Join("|", kinds) + "]";

    private sealed class RecordingContext : AnalysisContext
    {
        private readonly Compilation _compilation;

        public RecordingContext(Compilation compilation) => _compilation = compilation;

        public List<Action<AnalysisContext>> Replays { get; } = new List<Action<AnalysisContext>>();
        public List<string> Names { get; } = new List<string>();

        private void Add(string name, Action<AnalysisContext> replay)
        {
            Names.Add(name);
            Replays.Add(replay);
        }

        public override void EnableConcurrentExecution() => Add("Concurrent", c => c.EnableConcurrentExecution());

        public override void ConfigureGeneratedCodeAnalysis(GeneratedCodeAnalysisFlags analysisMode) =>
            Add("GeneratedCode=" + analysisMode, c => c.ConfigureGeneratedCodeAnalysis(analysisMode));

        public override void RegisterCompilationStartAction(Action<CompilationStartAnalysisContext> action)
        {
            var nested = new RecordingStartContext(_compilation);
            try
            {
                action(nested);
            }
            catch (Exception e)
            {
                nested.Names.Add("(start action threw " + e.GetType().Name + ")");
            }
            Action<CompilationStartAnalysisContext>[] replays = nested.Replays.ToArray();
            Add("CompilationStart{" + string.Join(", ", nested.Names) + "}", c => c.RegisterCompilationStartAction(start =>
            {
                foreach (Action<CompilationStartAnalysisContext> replay in replays)
                {
                    replay(start);
                }
            }));
        }

        public override void RegisterCompilationAction(Action<CompilationAnalysisContext> action) =>
            Add("Compilation", c => c.RegisterCompilationAction(_ => { }));

        public override void RegisterSemanticModelAction(Action<SemanticModelAnalysisContext> action) =>
            Add("SemanticModel", c => c.RegisterSemanticModelAction(_ => { }));

        public override void RegisterSymbolAction(Action<SymbolAnalysisContext> action, ImmutableArray<SymbolKind> symbolKinds) =>
            Add("Symbol" + Kinds(symbolKinds), c => c.RegisterSymbolAction(_ => { }, symbolKinds));

        public override void RegisterSymbolStartAction(Action<SymbolStartAnalysisContext> action, SymbolKind symbolKind) =>
            Add("SymbolStart[" + symbolKind + "]", c => c.RegisterSymbolStartAction(_ => { }, symbolKind));

        public override void RegisterCodeBlockStartAction<TLanguageKindEnum>(Action<CodeBlockStartAnalysisContext<TLanguageKindEnum>> action) =>
            Add("CodeBlockStart", c => c.RegisterCodeBlockStartAction<TLanguageKindEnum>(_ => { }));

        public override void RegisterCodeBlockAction(Action<CodeBlockAnalysisContext> action) =>
            Add("CodeBlock", c => c.RegisterCodeBlockAction(_ => { }));

        public override void RegisterSyntaxTreeAction(Action<SyntaxTreeAnalysisContext> action) =>
            Add("SyntaxTree", c => c.RegisterSyntaxTreeAction(_ => { }));

        public override void RegisterAdditionalFileAction(Action<AdditionalFileAnalysisContext> action) =>
            Add("AdditionalFile", c => c.RegisterAdditionalFileAction(_ => { }));

        public override void RegisterSyntaxNodeAction<TLanguageKindEnum>(Action<SyntaxNodeAnalysisContext> action, ImmutableArray<TLanguageKindEnum> syntaxKinds) =>
            Add("SyntaxNode" + Kinds(syntaxKinds), c => c.RegisterSyntaxNodeAction(_ => { }, syntaxKinds));

        public override void RegisterOperationBlockStartAction(Action<OperationBlockStartAnalysisContext> action) =>
            Add("OperationBlockStart", c => c.RegisterOperationBlockStartAction(_ => { }));

        public override void RegisterOperationBlockAction(Action<OperationBlockAnalysisContext> action) =>
            Add("OperationBlock", c => c.RegisterOperationBlockAction(_ => { }));

        public override void RegisterOperationAction(Action<OperationAnalysisContext> action, ImmutableArray<OperationKind> operationKinds) =>
            Add("Operation" + Kinds(operationKinds), c => c.RegisterOperationAction(_ => { }, operationKinds));
    }

    private sealed class RecordingStartContext : CompilationStartAnalysisContext
    {
        public RecordingStartContext(Compilation compilation)
            : base(compilation, new AnalyzerOptions(ImmutableArray<AdditionalText>.Empty), CancellationToken.None)
        {
        }

        public List<Action<CompilationStartAnalysisContext>> Replays { get; } = new List<Action<CompilationStartAnalysisContext>>();
        public List<string> Names { get; } = new List<string>();

        private void Add(string name, Action<CompilationStartAnalysisContext> replay)
        {
            Names.Add(name);
            Replays.Add(replay);
        }

        public override void RegisterCompilationEndAction(Action<CompilationAnalysisContext> action) =>
            Add("CompilationEnd", c => c.RegisterCompilationEndAction(_ => { }));

        public override void RegisterSemanticModelAction(Action<SemanticModelAnalysisContext> action) =>
            Add("SemanticModel", c => c.RegisterSemanticModelAction(_ => { }));

        public override void RegisterSymbolAction(Action<SymbolAnalysisContext> action, ImmutableArray<SymbolKind> symbolKinds) =>
            Add("Symbol" + Kinds(symbolKinds), c => c.RegisterSymbolAction(_ => { }, symbolKinds));

        public override void RegisterSymbolStartAction(Action<SymbolStartAnalysisContext> action, SymbolKind symbolKind) =>
            Add("SymbolStart[" + symbolKind + "]", c => c.RegisterSymbolStartAction(_ => { }, symbolKind));

        public override void RegisterCodeBlockStartAction<TLanguageKindEnum>(Action<CodeBlockStartAnalysisContext<TLanguageKindEnum>> action) =>
            Add("CodeBlockStart", c => c.RegisterCodeBlockStartAction<TLanguageKindEnum>(_ => { }));

        public override void RegisterCodeBlockAction(Action<CodeBlockAnalysisContext> action) =>
            Add("CodeBlock", c => c.RegisterCodeBlockAction(_ => { }));

        public override void RegisterSyntaxTreeAction(Action<SyntaxTreeAnalysisContext> action) =>
            Add("SyntaxTree", c => c.RegisterSyntaxTreeAction(_ => { }));

        public override void RegisterAdditionalFileAction(Action<AdditionalFileAnalysisContext> action) =>
            Add("AdditionalFile", c => c.RegisterAdditionalFileAction(_ => { }));

        public override void RegisterSyntaxNodeAction<TLanguageKindEnum>(Action<SyntaxNodeAnalysisContext> action, ImmutableArray<TLanguageKindEnum> syntaxKinds) =>
            Add("SyntaxNode" + Kinds(syntaxKinds), c => c.RegisterSyntaxNodeAction(_ => { }, syntaxKinds));

        public override void RegisterOperationBlockStartAction(Action<OperationBlockStartAnalysisContext> action) =>
            Add("OperationBlockStart", c => c.RegisterOperationBlockStartAction(_ => { }));

        public override void RegisterOperationBlockAction(Action<OperationBlockAnalysisContext> action) =>
            Add("OperationBlock", c => c.RegisterOperationBlockAction(_ => { }));

        public override void RegisterOperationAction(Action<OperationAnalysisContext> action, ImmutableArray<OperationKind> operationKinds) =>
            Add("Operation" + Kinds(operationKinds), c => c.RegisterOperationAction(_ => { }, operationKinds));
    }
}
#pragma warning restore RS1001, RS1025, RS1026, RS1036, RS1041, RS2008

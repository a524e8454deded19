using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
using System.Reflection;
using System.Threading;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.Diagnostics;

namespace Bench;

/// <summary>
/// Everything the analyzer benchmarks share: the parsed corpus, the references, the analyzers of the
/// WebSocketHandoff.Analyzers assembly (found by reflection, so the harness runs with whatever rules exist), and the
/// control analyzers that register the same actions and do nothing.
/// </summary>
public sealed class AnalyzerHarness
{
    public const string AnalyzerAssemblyName = "WebSocketHandoff.Analyzers";

    private static readonly CSharpParseOptions ParseOptions = new CSharpParseOptions(LanguageVersion.CSharp12);

    // Single-threaded on purpose: the benchmark measures work, not how well two shared cores are scheduled.
    private static readonly CSharpCompilationOptions CompilationOptions =
        new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary, nullableContextOptions: NullableContextOptions.Enable, concurrentBuild: false);

    private AnalyzerHarness(Corpus corpus, ImmutableArray<SyntaxTree> trees, ImmutableArray<MetadataReference> references,
        ImmutableArray<DiagnosticAnalyzer> analyzers, ImmutableArray<DiagnosticAnalyzer> controls, IReadOnlyList<string> registrations)
    {
        Corpus = corpus;
        Trees = trees;
        References = references;
        Analyzers = analyzers;
        Controls = controls;
        Registrations = registrations;
    }

    public Corpus Corpus { get; }
    public ImmutableArray<SyntaxTree> Trees { get; }
    public ImmutableArray<MetadataReference> References { get; }

    /// <summary>Every concrete C# <see cref="DiagnosticAnalyzer"/> of WebSocketHandoff.Analyzers (WSH001–WSH006 once they exist).</summary>
    public ImmutableArray<DiagnosticAnalyzer> Analyzers { get; }

    /// <summary>One control per analyzer: registers the same actions (recorded on this corpus) with empty callbacks.</summary>
    public ImmutableArray<DiagnosticAnalyzer> Controls { get; }

    /// <summary>What each analyzer registered, for the report.</summary>
    public IReadOnlyList<string> Registrations { get; }

    public static AnalyzerHarness Create(CorpusKind kind, int files = CorpusGenerator.DefaultFiles)
    {
        Corpus corpus = CorpusGenerator.Generate(kind, files);
        ImmutableArray<SyntaxTree> trees = corpus.Files
            .Select((text, i) => CSharpSyntaxTree.ParseText(text, ParseOptions, path: $"Area{i}.cs"))
            .ToImmutableArray();
        ImmutableArray<MetadataReference> references = Basic.Reference.Assemblies.Net80.References.All
            .Cast<MetadataReference>()
            .Append(MetadataReference.CreateFromFile(RuntimeReferencePath()))
            .ToImmutableArray();

        var analyzers = LoadAnalyzers();
        var harness = new AnalyzerHarness(corpus, trees, references, analyzers, ImmutableArray<DiagnosticAnalyzer>.Empty, Array.Empty<string>());

        // The corpus must compile cleanly, or the compiler would be timed on error recovery instead of binding.
        Diagnostic[] errors = harness.NewCompilation().GetDiagnostics().Where(d => d.Severity == DiagnosticSeverity.Error).ToArray();
        if (errors.Length > 0)
        {
            throw new InvalidOperationException($"The generated corpus has {errors.Length} compile errors, e.g. {errors[0]}");
        }

        var controls = ImmutableArray.CreateBuilder<DiagnosticAnalyzer>();
        var registrations = new List<string>();
        CSharpCompilation recordOn = harness.NewCompilation();
        foreach (DiagnosticAnalyzer analyzer in analyzers)
        {
            ControlAnalyzer control = ControlAnalyzer.Record(analyzer, recordOn);
            controls.Add(control);
            registrations.Add($"{analyzer.GetType().Name}: {control.Description}");
        }
        return new AnalyzerHarness(corpus, trees, references, analyzers, controls.ToImmutable(), registrations);
    }

    /// <summary>A fresh compilation: nothing bound yet, so each run pays for binding every method body.</summary>
    public CSharpCompilation NewCompilation() => CSharpCompilation.Create("Corpus", Trees, References, CompilationOptions);

    /// <summary>Benchmark A: the compiler alone (declaration and method-body diagnostics: binds everything).</summary>
    public int CompilerOnly() => NewCompilation().GetDiagnostics().Length;

    /// <summary>Benchmarks B and C: the compiler's diagnostics and the analyzers', through the analyzer driver.</summary>
    public int WithAnalyzers(ImmutableArray<DiagnosticAnalyzer> analyzers) =>
        Driver(analyzers, logTime: false, out _).GetAllDiagnosticsAsync(CancellationToken.None).GetAwaiter().GetResult().Length;

    /// <summary>
    /// The analyzers' diagnostics and the time the driver measured inside each analyzer's callbacks. The driver still binds
    /// every method body (its compilation events come from the compiler's own pass), but returns only analyzer diagnostics.
    /// </summary>
    public (AnalysisResult Result, int AnalyzerExceptions) RunWithTelemetry(ImmutableArray<DiagnosticAnalyzer> analyzers)
    {
        CompilationWithAnalyzers driver = Driver(analyzers, logTime: true, out Func<int> exceptions);
        AnalysisResult result = driver.GetAnalysisResultAsync(CancellationToken.None).GetAwaiter().GetResult();
        return (result, exceptions());
    }

    private CompilationWithAnalyzers Driver(ImmutableArray<DiagnosticAnalyzer> analyzers, bool logTime, out Func<int> exceptions)
    {
        if (analyzers.IsEmpty)
        {
            analyzers = ImmutableArray.Create<DiagnosticAnalyzer>(new ControlAnalyzer("nothing registered", _ => { }));
        }
        var counter = new int[1];
        exceptions = () => Volatile.Read(ref counter[0]);
        var options = new CompilationWithAnalyzersOptions(
            new AnalyzerOptions(ImmutableArray<AdditionalText>.Empty),
            onAnalyzerException: (_, _, _) => Interlocked.Increment(ref counter[0]),
            concurrentAnalysis: false,
            logAnalyzerExecutionTime: logTime,
            reportSuppressedDiagnostics: false);
        CSharpCompilation compilation = NewCompilation();
        if (logTime)
        {
            // Bind the references first, as the compiler does before any analyzer runs in a build. Otherwise the first
            // analyzer to ask the fresh compilation for a type (every WSH analyzer does, in its compilation-start action)
            // is charged for binding all of them, a compiler cost the telemetry would count as the analyzer's.
            compilation.GetTypeByMetadataName("System.Object");
        }
        return compilation.WithAnalyzers(analyzers, options);
    }

    /// <summary>The net8.0 build of WebSocketHandoff.dll (to match the .NET 8 reference assemblies).</summary>
    private static string RuntimeReferencePath()
    {
        string? path = typeof(AnalyzerHarness).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>()
            .FirstOrDefault(a => a.Key == "RuntimeReferencePath")?.Value;
        return path is not null && System.IO.File.Exists(path) ? path : typeof(WebSocketHandoff.HandoffWebSocket).Assembly.Location;
    }

    private static ImmutableArray<DiagnosticAnalyzer> LoadAnalyzers() => LoadAnalyzers(Assembly.Load(AnalyzerAssemblyName));

    /// <summary>Every concrete C# analyzer of <paramref name="assembly"/>, in order of type name.</summary>
    public static ImmutableArray<DiagnosticAnalyzer> LoadAnalyzers(Assembly assembly)
    {
        Type[] types;
        try
        {
            types = assembly.GetTypes();
        }
        catch (ReflectionTypeLoadException e)
        {
            types = e.Types.Where(t => t is not null).ToArray()!;
        }
        return types
            .Where(t => !t.IsAbstract && typeof(DiagnosticAnalyzer).IsAssignableFrom(t))
            .Where(t => t.GetCustomAttributes<DiagnosticAnalyzerAttribute>().Any(a => a.Languages.Contains(LanguageNames.CSharp)))
            .OrderBy(t => t.FullName, StringComparer.Ordinal)
            .Select(t => (DiagnosticAnalyzer)Activator.CreateInstance(t)!)
            .ToImmutableArray();
    }
}

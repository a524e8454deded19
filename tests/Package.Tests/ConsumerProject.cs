using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Threading.Tasks;

namespace WebSocketHandoff.Package.Tests
{
    /// <summary>A restored consumer project in the temporary directory.</summary>
    public sealed class ConsumerProject
    {
        public const string ProjectFile = "Consumer.csproj";
        public const string SourceFile = "UnsafeHandoff.cs";

        public ConsumerProject(string directory) => Directory = directory;

        public string Directory { get; }

        public string SourcePath => Path.Combine(Directory, SourceFile);

        internal Task<DotNetResult> RunAsync(params string[] arguments) => DotNet.RunAsync(Directory, arguments);

        /// <summary>A full build (never incremental: a skipped compile would report no diagnostic at all).</summary>
        internal Task<DotNetResult> BuildAsync(params string[] extraArguments) =>
            RunAsync(new[] { "build", ProjectFile, "--no-restore", "--no-incremental", "-tl:off", "-clp:NoSummary" }.Concat(extraArguments).ToArray());

        /// <summary>
        /// The lines the source marks with <c>// expect: WSH00N</c>: where the analyzers must report.
        /// </summary>
        public static IReadOnlyList<(string Id, int Line)> ExpectedDiagnostics(string source)
        {
            var expected = new List<(string, int)>();
            var lines = source.Split('\n');
            for (var i = 0; i < lines.Length; i++)
            {
                var marker = lines[i].IndexOf("// expect: ", System.StringComparison.Ordinal);
                if (marker < 0)
                {
                    continue;
                }
                foreach (var id in lines[i][(marker + "// expect: ".Length)..].Split(',', ' ', '\r').Where(s => s.StartsWith("WSH", System.StringComparison.Ordinal)))
                {
                    expected.Add((id, i + 1));
                }
            }
            return expected;
        }
    }
}

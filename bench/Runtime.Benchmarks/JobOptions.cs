using System;
using System.Linq;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Jobs;

namespace Bench;

/// <summary>Uses the project's default job unless the command line says how to run (BenchmarkDotNet would add both).</summary>
internal static class JobOptions
{
    private static readonly string[] JobArguments =
    {
        "--job", "-j", "--strategy", "--launchCount", "--warmupCount", "--minWarmupCount", "--maxWarmupCount",
        "--iterationCount", "--minIterationCount", "--maxIterationCount", "--iterationTime", "--invocationCount",
        "--unrollFactor", "--runOncePerIteration",
    };

    public static IConfig ConfigFor(string[] args, Job defaultJob)
    {
        bool jobOnCommandLine = args.Any(a => JobArguments.Contains(a, StringComparer.OrdinalIgnoreCase));
        return jobOnCommandLine ? DefaultConfig.Instance : DefaultConfig.Instance.AddJob(defaultJob);
    }
}

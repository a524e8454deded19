using BenchmarkDotNet.Jobs;

namespace Bench;

public static class Program
{
    /// <summary>
    /// The default job: one process per case, 3 warm-up and 20 measured iterations (all 26 cases take about 8 minutes).
    /// A job given on the command line (<c>--job dry</c>, <c>--job short</c>, <c>--iterationCount 5</c>…) replaces it.
    /// </summary>
    public static readonly Job DefaultJob = Job.Default
        .WithLaunchCount(1)
        .WithWarmupCount(3)
        .WithIterationCount(20);

    /// <summary>
    /// <c>dotnet run -c Release -- interleaved [rounds] [--connections fresh|single|pool:N] [--rows Send 16,Receive]</c>
    /// runs the <see cref="Interleaved"/> cross-check; <c>overhead [rounds] [message size]</c> the in-memory
    /// <see cref="Overhead"/> measurement; anything else goes to BenchmarkDotNet (e.g. <c>--filter '*'</c>).
    /// </summary>
    public static int Main(string[] args)
    {
        if (args.Length > 0 && args[0] == "interleaved")
        {
            return Interleaved.Run(args[1..], System.Console.Out);
        }
        if (args.Length > 0 && args[0] == "overhead")
        {
            return Overhead.Run(args[1..], System.Console.Out);
        }
        BenchmarkDotNet.Running.BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args, JobOptions.ConfigFor(args, DefaultJob));
        return 0;
    }
}

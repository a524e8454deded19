using System;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Operations;

namespace WebSocketHandoff.Analyzers
{
    // WSH004: searches of assembly.GetTypes() for a non-public System.Net.WebSockets type by name.
    public sealed partial class WebSocketReflectionAnalyzer
    {
        private sealed partial class Analysis
        {
            // typeof(WebSocket).Assembly.GetTypes().First(t => t.Name == "ManagedWebSocket").
            private void AnalyzeTypeSearch(Action<Diagnostic> report, IInvocationOperation invocation)
            {
                string? searched = invocation.Arguments.Length == 2
                    ? SearchedTypeName(invocation, depth: 0)
                    : TypeLoopOf(invocation) is { } loop ? LoopSearchedTypeName(loop, depth: 0) : null;
                if (searched is null)
                {
                    AnalyzeDeclaredPick(report, invocation);
                    return;
                }

                string what = "The search of an assembly's types for '" + searched + "'";
                report(Diagnostic.Create(Descriptors.WebSocketReflection, invocation.Syntax.GetLocation(), what));
            }

            /// <summary>
            /// The non-public System.Net.WebSockets type that <c>types.First(t => t.Name == "…")</c> (or <c>Where</c>, <c>Single</c>…,
            /// or a predicate-less <c>First()</c> after such a <c>Where</c>) picks out of <c>assembly.GetTypes()</c> or
            /// <c>assembly.DefinedTypes</c>. A simple name counts only on the assembly of a WebSockets type
            /// (<c>typeof(WebSocket).Assembly</c>, <c>Assembly.Load("System.Net.WebSockets")</c>); a full name on any assembly.
            /// </summary>
            private string? SearchedTypeName(IInvocationOperation invocation, int depth)
            {
                IMethodSymbol method = invocation.TargetMethod;
                if (Step(depth) > MaxSteps
                    || !s_searchNames.Contains(method.Name)
                    || !IsEnumerable(method.ContainingType)
                    || invocation.Arguments.Length == 0)
                {
                    return null;
                }

                IOperation source = SkipConversions(invocation.Arguments[0].Value);
                if (invocation.Arguments.Length == 1)
                {
                    return method.Name != "Where" && source is IInvocationOperation { TargetMethod.Name: "Where" } where
                        ? SearchedTypeName(where, depth + 1)
                        : null;
                }

                IOperation? assembly = source switch
                {
                    IInvocationOperation { TargetMethod.Name: "GetTypes", Instance: { } instance } types
                        when InheritsFrom(types.TargetMethod.ContainingType, _assembly) => instance,
                    IPropertyReferenceOperation { Property.Name: "DefinedTypes", Instance: { } instance } definedTypes
                        when InheritsFrom(definedTypes.Property.ContainingType, _assembly) => instance,
                    _ => null,
                };
                if (assembly is null)
                {
                    return null;
                }

                return PickedTypeName(assembly, invocation.Arguments[1].Value, subject: null, depth);
            }

            /// <summary>
            /// The non-public System.Net.WebSockets type a predicate or loop body (<paramref name="scope"/>) compares a type's name
            /// with, the types coming from <paramref name="assembly"/>'s <c>GetTypes()</c>. With <paramref name="subject"/>, only
            /// comparisons of that local's <c>Name</c>/<c>FullName</c> count.
            /// </summary>
            private string? PickedTypeName(IOperation assembly, IOperation scope, ILocalSymbol? subject, int depth)
            {
                bool? onWebSocketsAssembly = null;
                foreach (IOperation operation in scope.Descendants())
                {
                    if (!TryGetNameComparison(operation, out bool fullName, out string compared, out IOperation? instance)
                        || (subject is not null
                            && !(SkipConversions(instance!) is ILocalReferenceOperation local && SymbolEqualityComparer.Default.Equals(local.Local, subject))))
                    {
                        continue;
                    }

                    if (fullName)
                    {
                        if (IsNonPublicWebSocketsTypeName(compared, out string metadataName))
                        {
                            return metadataName.Substring(WebSocketsNamespacePrefix.Length);
                        }

                        continue;
                    }

                    if (compared.Length == 0 || compared.IndexOf('.') >= 0 || s_knownPublicTypes.Contains(compared)
                        || _compilation.GetTypeByMetadataName(WebSocketsNamespacePrefix + compared) is { } known && IsPublicType(known))
                    {
                        continue;
                    }

                    onWebSocketsAssembly ??= Resolve(assembly, ValueKind.Assembly, depth + 1) is not null;
                    if (onWebSocketsAssembly == true)
                    {
                        return compared;
                    }
                }

                return null;
            }

            /// <summary>
            /// <c>t.Name == "X"</c>, <c>"X" == t.FullName</c>, <c>t.Name.Equals("X")</c>, <c>string.Equals(t.Name, "X", …)</c> or
            /// <c>t.Name is "X"</c>, where <c>t</c> is a <c>Type</c>: the constant, and whether it is compared with the full name.
            /// </summary>
            private bool TryGetNameComparison(IOperation operation, out bool fullName, out string compared, out IOperation? instance)
            {
                fullName = false;
                compared = string.Empty;
                instance = null;
                IOperation? left = null;
                IOperation? right = null;
                switch (operation)
                {
                    case IBinaryOperation { OperatorKind: BinaryOperatorKind.Equals } binary:
                        left = binary.LeftOperand;
                        right = binary.RightOperand;
                        break;
                    case IIsPatternOperation { Pattern: IConstantPatternOperation constant } isPattern:
                        left = isPattern.Value;
                        right = constant.Value;
                        break;
                    case IInvocationOperation { TargetMethod.Name: "Equals" } equals
                        when equals.TargetMethod.ContainingType.SpecialType == SpecialType.System_String:
                        if (equals.Instance is not null && equals.Arguments.Length >= 1)
                        {
                            left = equals.Instance;
                            right = equals.Arguments[0].Value;
                        }
                        else if (equals.Instance is null && equals.Arguments.Length >= 2)
                        {
                            left = equals.Arguments[0].Value;
                            right = equals.Arguments[1].Value;
                        }

                        break;
                }

                if (left is null || right is null)
                {
                    return false;
                }

                if (ConstantString(right) is string rightValue && IsTypeNameProperty(left, out fullName, out instance))
                {
                    compared = rightValue;
                    return true;
                }

                if (ConstantString(left) is string leftValue && IsTypeNameProperty(right, out fullName, out instance))
                {
                    compared = leftValue;
                    return true;
                }

                return false;
            }

            /// <summary><c>t.Name</c> or <c>t.FullName</c> of a <c>Type</c> (or <c>TypeInfo</c>); <paramref name="type"/> is <c>t</c>.</summary>
            private bool IsTypeNameProperty(IOperation operation, out bool fullName, out IOperation? type)
            {
                fullName = false;
                type = null;
                if (SkipConversions(operation) is not IPropertyReferenceOperation { Instance: { } instance } property
                    || instance.Type is not INamedTypeSymbol instanceType
                    || !InheritsFrom(instanceType, _systemType))
                {
                    return false;
                }

                fullName = property.Property.Name == "FullName";
                type = instance;
                return fullName || property.Property.Name == "Name";
            }

            /// <summary>
            /// On syntax: <c>GetTypes()</c> as the collection of a <c>foreach</c> whose body compares with a string literal
            /// (<c>foreach (var t in asm.GetTypes()) if (t.Name == "ManagedWebSocket") …</c>).
            /// </summary>
            private static bool IsTypeLoopCandidate(InvocationExpressionSyntax node, string name)
            {
                if (name != "GetTypes" || node.Parent is not ForEachStatementSyntax loop || loop.Expression != node)
                {
                    return false;
                }

                foreach (SyntaxNode descendant in loop.Statement.DescendantNodesAndSelf())
                {
                    if (descendant.IsKind(SyntaxKind.StringLiteralExpression))
                    {
                        return true;
                    }
                }

                return false;
            }

            /// <summary><c>Assembly.GetTypes()</c> or <c>Module.GetTypes()</c>.</summary>
            private bool IsGetTypes(IMethodSymbol method) =>
                method.Name == "GetTypes" && method.Parameters.Length == 0 && !method.IsStatic
                && (InheritsFrom(method.ContainingType, _assembly) || InheritsFrom(method.ContainingType, _module));

            /// <summary>The <c>foreach</c> whose collection is this <c>GetTypes()</c> call.</summary>
            private IForEachLoopOperation? TypeLoopOf(IInvocationOperation invocation)
            {
                if (!IsGetTypes(invocation.TargetMethod) || invocation.Instance is null)
                {
                    return null;
                }

                IOperation current = invocation;
                while (current.Parent is IConversionOperation conversion)
                {
                    current = conversion;
                }

                return current.Parent is IForEachLoopOperation loop && loop.Collection == current ? loop : null;
            }

            /// <summary>
            /// The non-public System.Net.WebSockets type a loop over <c>assembly.GetTypes()</c> looks for: its body compares the
            /// loop variable's <c>Name</c> or <c>FullName</c> with such a name.
            /// </summary>
            private string? LoopSearchedTypeName(IForEachLoopOperation loop, int depth)
            {
                if (Step(depth) > MaxSteps || loop.Locals.Length != 1)
                {
                    return null;
                }

                IOperation? assembly = SkipConversions(loop.Collection) switch
                {
                    IInvocationOperation { Instance: { } instance } types when IsGetTypes(types.TargetMethod) => instance,
                    IPropertyReferenceOperation { Property.Name: "DefinedTypes", Instance: { } instance } definedTypes
                        when InheritsFrom(definedTypes.Property.ContainingType, _assembly) => instance,
                    _ => null,
                };

                return assembly is null ? null : PickedTypeName(assembly, loop.Body, loop.Locals[0], depth);
            }

            /// <summary>
            /// <c>foreach (var t in asm.DefinedTypes) if (t.Name == "ManagedWebSocket") …</c>: reported on <c>asm.DefinedTypes</c>
            /// (a property: no call to hang the search on, as <c>GetTypes()</c> has).
            /// </summary>
            public void AnalyzeTypeLoop(SyntaxNodeAnalysisContext context)
            {
                var node = (ForEachStatementSyntax)context.Node;
                if (node.Expression is not MemberAccessExpressionSyntax { Name.Identifier.ValueText: "DefinedTypes" }
                    || !SpellsStringLiteral(node.Statement)
                    || (ScanTree(node.SyntaxTree, context.CancellationToken) & TreeText.WebSocket) == 0
                    || context.SemanticModel.GetOperation(node, context.CancellationToken) is not IForEachLoopOperation loop
                    || LoopSearchedTypeName(loop, depth: 0) is not string searched)
                {
                    return;
                }

                string what = "The search of an assembly's types for '" + searched + "'";
                context.ReportDiagnostic(Diagnostic.Create(Descriptors.WebSocketReflection, node.Expression.GetLocation(), what));
            }

            private static bool SpellsStringLiteral(SyntaxNode node)
            {
                foreach (SyntaxNode descendant in node.DescendantNodesAndSelf())
                {
                    if (descendant.IsKind(SyntaxKind.StringLiteralExpression))
                    {
                        return true;
                    }
                }

                return false;
            }

            private static bool IsEnumerable(INamedTypeSymbol type) =>
                type.Name == "Enumerable" && IsInNamespace(type, "System.Linq");

            private static bool IsInNamespace(INamedTypeSymbol type, string ns) =>
                type.ContainingNamespace?.ToDisplayString() == ns;
        }
    }
}

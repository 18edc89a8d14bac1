console.log("mnist app: under construction");
